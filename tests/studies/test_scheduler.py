"""The form of a scheduler address (finmodel.studies.scheduler.parse_scheduler): any text is
either a (protocol, host, port) Dask can use or one line of bad input, never another error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finmodel.exceptions import InputError
from finmodel.studies.scheduler import PROTOCOLS, parse_scheduler

_HOSTS = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z0-9-]{1,8}){0,2}", fullmatch=True),
    st.ip_addresses(v=4).map(str),
)


@given(st.sampled_from([p for p in PROTOCOLS if p != "inproc"]), _HOSTS, st.integers(1, 65535))
def test_a_well_formed_address_gives_back_its_parts(protocol, host, port):
    assert parse_scheduler(f"{protocol}://{host}:{port}", "--scheduler") == (protocol, host, port)
    assert parse_scheduler(f"{host}:{port}", "--scheduler") == ("tcp", host, port)


@given(st.ip_addresses(v=6).map(str), st.integers(1, 65535))
def test_an_ipv6_host_in_brackets(host, port):
    assert parse_scheduler(f"tcp://[{host}]:{port}", "--scheduler") == ("tcp", host, port)


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_any_text_is_an_address_or_one_line_of_bad_input(text):
    try:
        protocol, host, port = parse_scheduler(text, "--scheduler")
    except InputError as e:
        assert "\n" not in str(e)  # the CLI prints str(e): control characters escaped
        return
    assert protocol in PROTOCOLS
    if protocol != "inproc":
        assert host and 1 <= port <= 65535


@pytest.mark.parametrize("protocol", ["tls", "wss", "ws", "ucx"])
def test_a_protocol_finmodel_cannot_connect_with_is_refused_by_name(protocol):
    # before: Dask's client, given tls:// or ws:// at a listening port, failed after 20 s with
    # "internal error: TypeError: TLS expects a ssl_context" and a Client.__del__ traceback
    with pytest.raises(InputError, match=f"^--scheduler {protocol}://h:8786: {protocol}:// needs"):
        parse_scheduler(f"{protocol}://h:8786", f"--scheduler {protocol}://h:8786")
