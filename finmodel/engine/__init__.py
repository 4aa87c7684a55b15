"""The engine: arrays with a leading scenario axis in, schedules, payments and metrics out."""
