"""The AsyncAPI 2.6 / 3.0 reader: one description, seen from the client, nothing dropped, clear errors."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml

from generator.errors import Diagnostics, Location, SpecError
from generator.load.asyncapi import load_asyncapi, select_channels
from generator.load.asyncapi_model import AsyncApi, client_action
from tests.conftest import FIXTURES, ROOT

ASYNCAPI = FIXTURES / "asyncapi"
OFFICIAL = ASYNCAPI / "official"
BROKEN = ASYNCAPI / "broken"
REMOTE_REFS = {"adeo-kafka-request-reply-asyncapi.yml"}  # refers to an .avsc file on the web: refused, tested below
EXAMPLES = sorted(p for p in OFFICIAL.glob("*/*.yml") if p.name not in REMOTE_REFS)


def load(path: Path, **kwargs: object) -> tuple[AsyncApi, Diagnostics]:
    diagnostics = Diagnostics()
    return load_asyncapi(path, diagnostics, root=ROOT, **kwargs), diagnostics  # type: ignore[arg-type]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.yaml"
    path.write_text(text)
    return path


def _expected_counts(data: dict) -> tuple[int, int]:
    """(channels, operations) as the document writes them."""
    channels = data.get("channels") or {}
    if data["asyncapi"].startswith("2."):
        ops = sum(1 for item in channels.values() for action in ("publish", "subscribe") if action in item)
        return len(channels), ops
    return len(channels), len(data.get("operations") or {})


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_channel_operation_and_message_of_an_official_example_is_described(path: Path) -> None:
    api, diagnostics = load(path)
    data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    channels, operations = _expected_counts(data)
    assert (len(api.channels), len(api.operations)) == (channels, operations)
    described = {m.key for m in api.messages}
    for channel in api.channels:
        assert set(channel.messages) <= described
    for operation in api.operations:
        assert operation.action in ("send", "receive")
        assert operation.channel in {c.key for c in api.channels}
        assert set(operation.messages) <= set(api.channel(operation.channel).messages)
    component_messages = set((data.get("components") or {}).get("messages") or {})
    assert component_messages <= {m.name for m in api.messages} | {m.key.rsplit("/", 1)[-1] for m in api.messages}


def _pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for v2 in sorted((OFFICIAL / "2.6.0").glob("*.yml")):
        v3 = OFFICIAL / "3.0.0" / f"{v2.stem}-asyncapi.yml"
        if v3.exists():
            pairs.append((v2, v3))
    return pairs


@pytest.mark.parametrize("v2, v3", _pairs(), ids=lambda p: p.stem)
def test_an_example_in_2_6_and_3_0_gives_the_client_the_same_actions(v2: Path, v3: Path) -> None:
    old, _ = load(v2)
    new, _ = load(v3)
    old_actions = {op.key: op.action for op in old.operations}
    new_actions = {op.key: op.action for op in new.operations}
    shared = old_actions.keys() & new_actions.keys()
    assert {k: old_actions[k] for k in shared} == {k: new_actions[k] for k in shared}
    assert sorted(old_actions.values()) == sorted(new_actions.values())


def test_streetlights_reads_the_same_in_both_versions() -> None:
    old, _ = load(OFFICIAL / "2.6.0" / "streetlights-mqtt.yml")
    new, _ = load(OFFICIAL / "3.0.0" / "streetlights-mqtt-asyncapi.yml")
    for api in (old, new):
        measure = next(op for op in api.operations if op.key == "receiveLightMeasurement")
        assert measure.action == "send"  # the API receives measurements: its clients (the streetlights) send them
        turn_on = next(op for op in api.operations if op.key == "turnOn")
        assert turn_on.action == "receive"
        channel = api.channel(measure.channel)
        assert channel.address == "smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured"
        (param,) = channel.parameters
        assert param.name == "streetlightId" and param.description
        (message_key,) = measure.messages
        payload = api.message(message_key).payload
        assert payload is not None and payload.name == "lightMeasuredPayload" and payload.json_schema
        assert payload.location.pointer == "/components/schemas/lightMeasuredPayload" and payload.location.line
        assert payload.value["properties"]["lumens"]["minimum"] == 0
        (server,) = api.servers
        assert server.protocol == "mqtt" and [v.name for v in server.variables] == ["port"]
        assert server.variables[0].enum == ("1883", "8883") and server.variables[0].default == "1883"
        assert {s.type for s in server.security} >= {"apiKey"}
    assert old.servers[0].url == "test.mosquitto.org:{port}"
    assert new.servers[0].url == "mqtt://test.mosquitto.org:{port}"


def test_traits_are_merged_the_way_each_version_says(tmp_path: Path) -> None:
    old, _ = load(OFFICIAL / "2.6.0" / "streetlights-kafka.yml")  # operation traits add kafka bindings
    operation = next(op for op in old.operations if op.key == "turnOn")
    assert operation.bindings["kafka"]["clientId"]
    v3 = """
asyncapi: 3.0.0
info: {title: Traits, version: '1'}
channels:
  ticks:
    address: ticks
    messages:
      tick:
        name: own-name
        traits: [{name: trait-name, title: Trait title}]
        payload: {type: object}
operations:
  onTick:
    action: send
    summary: own summary
    traits: [{summary: trait summary, description: trait description}]
    channel: {$ref: '#/channels/ticks'}
"""
    v2 = """
asyncapi: 2.6.0
info: {title: Traits, version: '1'}
channels:
  ticks:
    subscribe:
      summary: own summary
      traits: [{summary: trait summary}]
      message:
        name: own-name
        traits: [{name: trait-name}]
        payload: {type: object}
"""
    for text, winner in ((v3, "own"), (v2, "trait")):
        api = load_asyncapi(_write(tmp_path, text), Diagnostics())
        assert api.operations[0].summary == f"{winner} summary"
        assert api.messages[0].name == f"{winner}-name"
    assert api.messages[0].title == ""  # (v2 case) nothing invented


def test_the_publish_subscribe_inversion_is_made_in_one_place() -> None:
    assert client_action("2.6.0", "publish", "server") == "send"
    assert client_action("2.6.0", "subscribe", "server") == "receive"
    assert client_action("3.0.0", "send", "server") == "receive"
    assert client_action("3.0.0", "receive", "server") == "send"
    for version, spec_action in (("2.6.0", "publish"), ("2.6.0", "subscribe"), ("3.0.0", "send"), ("3.0.0", "receive")):
        assert client_action(version, spec_action, "client") != client_action(version, spec_action, "server")


def test_a_document_written_for_the_client_is_read_as_it_says() -> None:
    api, _ = load(OFFICIAL / "3.0.0" / "rpc-client-asyncapi.yml", describes="client")
    actions = {op.key: op.action for op in api.operations}
    assert actions == {"requestSum": "send", "receiveSumResult": "receive"}


def test_reply_and_correlation_id_are_described() -> None:
    api, _ = load(OFFICIAL / "3.0.0" / "kraken-websocket-request-reply-multiple-channels-asyncapi.yml")
    ping = next(op for op in api.operations if op.key == "receivePing")
    assert ping.action == "send" and ping.reply is not None  # the API receives pings: its client sends them
    assert ping.reply.channel == "pong"
    assert [api.message(k).name for k in ping.reply.messages] == ["pong"]
    unsubscribe = next(op for op in api.operations if op.key == "unsubscribe")
    assert unsubscribe.reply is not None and [api.message(k).name for k in unsubscribe.reply.messages] == ["subscriptionStatus"]
    correlated, _ = load(OFFICIAL / "3.0.0" / "correlation-id-asyncapi.yml")
    correlation = next(m.correlation_id for m in correlated.messages if m.correlation_id is not None)
    assert correlation.location_expr == "$message.header#/MQMD/CorrelId"


def test_oneof_messages_of_a_2_6_operation_are_all_described() -> None:
    api, diagnostics = load(OFFICIAL / "2.6.0" / "oneof.yml")
    publish, subscribe = api.operations
    assert api.message(publish.messages[0]).payload.value["oneOf"]  # type: ignore[union-attr]
    assert [api.message(k).name for k in subscribe.messages] == ["subscribe_test2_1", "subscribe_test2_2"]
    assert [api.message(k).payload.name for k in subscribe.messages] == ["objectWithKey", "objectWithKey2"]  # type: ignore[union-attr]
    assert any("is on no channel" in line for line in diagnostics.summary())


def test_the_description_is_frozen_and_deterministic() -> None:
    path = OFFICIAL / "3.0.0" / "slack-rtm-asyncapi.yml"
    first, _ = load(path)
    second, _ = load(path)
    assert first.to_json() == second.to_json()
    json.loads(first.to_json())
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.channels[0].key = "changed"  # type: ignore[misc]


def test_a_payload_in_a_format_sdkgen_does_not_read_stays_untyped_with_a_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
asyncapi: 3.0.0
info: {title: Avro, version: '1'}
channels:
  users:
    address: users
    messages:
      signedUp:
        payload:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema: {type: record, name: User, fields: [{name: name, type: string}]}
operations:
  onUser: {action: send, channel: {$ref: '#/channels/users'}}
""",
    )
    diagnostics = Diagnostics()
    api = load_asyncapi(path, diagnostics)
    payload = api.messages[0].payload
    assert payload is not None and not payload.json_schema and payload.format.startswith("application/vnd.apache.avro")
    assert payload.value["type"] == "record"
    assert any("does not read: it stays untyped" in line for line in diagnostics.summary())


def test_a_channel_and_message_the_client_cannot_use_are_kept_and_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
asyncapi: 3.0.0
info: {title: Unused, version: '1'}
channels:
  used:
    address: used
    messages:
      a: {payload: {type: object}}
      b: {payload: {type: string}}
  idle:
    address: 'idle.{id}'
    parameters: {id: {}}
    messages:
      c: {payload: {type: object}}
operations:
  onA:
    action: send
    channel: {$ref: '#/channels/used'}
    messages: [{$ref: '#/channels/used/messages/a'}]
""",
    )
    diagnostics = Diagnostics()
    api = load_asyncapi(path, diagnostics)
    assert [c.key for c in api.channels] == ["used", "idle"]
    assert len(api.messages) == 3
    text = "\n".join(diagnostics.summary())
    assert "channel 'idle' has no operation" in text
    assert "message 'b' of channel 'used' is used by none of its operations" in text


def test_operations_without_messages_carry_all_of_their_channels_messages(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
asyncapi: 3.0.0
info: {title: All, version: '1'}
channels:
  feed:
    address: feed
    messages:
      a: {payload: {type: object}}
      b: {payload: {type: string}}
operations:
  onFeed: {action: send, channel: {$ref: '#/channels/feed'}}
""",
    )
    api = load_asyncapi(path, Diagnostics())
    assert api.operations[0].messages == ("/channels/feed/messages/a", "/channels/feed/messages/b")
    assert api.operations[0].action == "receive"


def test_a_payload_ref_into_another_file_keeps_its_place(tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text(
        "components:\n  schemas:\n    Tick:\n      type: object\n      properties: {price: {type: number}}\n"
    )
    path = _write(
        tmp_path,
        """
asyncapi: 3.0.0
info: {title: Shared, version: '1'}
channels:
  ticks:
    address: ticks
    messages:
      tick: {payload: {$ref: 'schemas.yaml#/components/schemas/Tick'}}
operations:
  onTick: {action: send, channel: {$ref: '#/channels/ticks'}}
""",
    )
    api = load_asyncapi(path, Diagnostics(), root=tmp_path)
    payload = api.messages[0].payload
    assert payload is not None
    assert (payload.location.file, payload.location.pointer, payload.name) == ("schemas.yaml", "/components/schemas/Tick", "Tick")
    assert payload.ref == "schemas.yaml#/components/schemas/Tick"


def test_selecting_channels_keeps_their_operations_and_messages_and_names_the_rest() -> None:
    api, _ = load(OFFICIAL / "3.0.0" / "streetlights-mqtt-asyncapi.yml")
    diagnostics = Diagnostics()
    selected = select_channels(api, ["*/lighting/measured", "*/turn/on"], diagnostics, where=Location("config"))
    assert [c.key for c in selected.channels] == ["lightingMeasured", "lightTurnOn"]
    assert {op.key for op in selected.operations} == {"receiveLightMeasurement", "turnOn"}
    assert {m.name for m in selected.messages} == {"lightMeasured", "turnOnOff"}
    (line,) = diagnostics.summary()
    assert "2 of 4 channels are not selected: lightTurnOff, lightsDim" in line
    with pytest.raises(SpecError, match=r"^config: channel pattern 'nothing\.\*' matches no channel"):
        select_channels(api, ["nothing.*"], Diagnostics(), where=Location("config"))


BROKEN_CASES: dict[str, str] = {
    "unsupported_version.yaml": r":2: /asyncapi: unsupported AsyncAPI version '2\.5\.0' \(hint: sdkgen reads AsyncAPI 2\.6\.0 and 3\.0\.0",
    "not_asyncapi.yaml": r":2: /asyncapi: not an AsyncAPI document: no `asyncapi` version",
    "invalid_yaml.yaml": r":4: invalid YAML: mapping values are not allowed",
    "bad_action.yaml": r":11: /operations/onTick/action: invalid AsyncAPI 3\.0\.0: 'publish' is not one of \['send', 'receive'\]",
    "dangling_ref.yaml": r":8: /channels/ticks/messages/tick/\$ref: \$ref '#/components/messages/Tock' points at nothing",
    "operation_channel_in_components.yaml": r":11: /operations/onTick/channel: operation 'onTick': `channel` must point to a channel of the root `channels`",
    "message_not_in_channel.yaml": r":17: /operations/onTick/messages/0: operation 'onTick': message '#/channels/tocks/messages/tock' is not one of channel 'ticks''s messages",
    "address_hole_without_parameter.yaml": r":5: /channels/book: channel 'book': the address has \{interval\} but no parameter 'interval' is declared",
    "duplicate_operation_id.yaml": r":10: /channels/b/subscribe: operationId 'onEvent' is used twice \(also at .*duplicate_operation_id\.yaml:6: /channels/a/subscribe\)",
    "duplicate_message_id.yaml": r":9: /channels/b/subscribe/message: messageId 'event' is used twice \(also at .*:6: /channels/a/subscribe/message\)",
    "undeclared_security_scheme.yaml": r":8: /servers/production/security/0: security scheme 'apiKey' is not declared in components/securitySchemes",
    "undeclared_server.yaml": r":7: /channels/events: channel 'events' names server 'staging', which is not declared",
    "server_variable_missing.yaml": r":5: /servers/production: server 'production': \{port\} has no server variable",
    "correlation_id_not_expression.yaml": r":10: /channels/ticks/messages/tick/correlationId/location: invalid AsyncAPI 3\.0\.0: 'header\.correlationId' does not match",
    "channel_with_query.yaml": r":5: /channels/events\?type=all: channel 'events\?type=all' has a query or fragment in its name",
    "remote_ref.yaml": r":9: /channels/ticks/messages/tick/payload/\$ref: remote \$ref 'https://example\.com/schemas/tick\.json' is not fetched",
    "reply_messages_without_channel.yaml": r":13: /operations/ask/reply: operation 'ask': a reply that lists messages needs a `channel`",
}


def test_every_broken_fixture_has_a_case() -> None:
    assert sorted(BROKEN_CASES) == sorted(p.name for p in BROKEN.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_a_broken_document_is_one_line_with_file_line_and_pointer(name: str) -> None:
    with pytest.raises(SpecError) as caught:
        load(BROKEN / name)
    text = str(caught.value)
    assert "\n" not in text
    assert caught.value.hint, text
    assert re.match(rf"^tests/fixtures/asyncapi/broken/{re.escape(name)}{BROKEN_CASES[name]}", text), text


def test_the_official_example_with_a_remote_ref_is_refused_with_its_place() -> None:
    with pytest.raises(
        SpecError,
        match=r"adeo-kafka-request-reply-asyncapi\.yml:\d+: /components/messages/costingResponse/payload/schema/\$ref: remote \$ref",
    ):
        load(OFFICIAL / "3.0.0" / "adeo-kafka-request-reply-asyncapi.yml")


def _nodes(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_nodes(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_nodes(child, (*path, index)))
    return found


def test_a_damaged_document_is_refused_with_a_spec_error_never_a_traceback(tmp_path: Path) -> None:
    """Seeded damage (a node removed or replaced by a value of another kind) to the examples and
    to the Advanced Trade document: every outcome is a description or one SpecError."""
    import copy
    import random

    from generator.errors import SdkgenError

    rng = random.Random(20)
    sources = [*EXAMPLES, ROOT / "specs" / "coinbase" / "advanced-trade-ws.asyncapi.yaml"]
    replacements: list[object] = [None, 1, "x", [], {}, {"$ref": "#/components/schemas/nope"}, {"$ref": "#/channels"}, True, {"a": 1}]
    outcomes = {"described": 0, "refused": 0}
    for _ in range(40):
        data = yaml.load(rng.choice(sources).read_text(), Loader=yaml.CSafeLoader)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice([p for p in _nodes(data) if p])
            parent = data
            for token in path[:-1]:
                parent = parent[token]  # type: ignore[index]
            if isinstance(parent, dict) and rng.random() < 0.4:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(rng.choice(replacements))  # type: ignore[index]
        path = _write(tmp_path, yaml.safe_dump(data))
        try:
            load_asyncapi(path, Diagnostics())
            outcomes["described"] += 1
        except SdkgenError as exc:
            assert "\n" not in str(exc)
            outcomes["refused"] += 1
    assert outcomes["described"] and outcomes["refused"]


def _asyncapi_documents() -> list[Path]:
    official = sorted(p for p in OFFICIAL.rglob("*") if p.suffix in {".yaml", ".yml", ".json"})
    return [*official, *sorted(BROKEN.glob("*.yaml")), ROOT / "specs/deribit/deribit_asyncapi.json"]


@pytest.mark.parametrize("path", _asyncapi_documents(), ids=lambda p: p.name)
def test_the_fast_validator_agrees_with_the_located_one(path: Path) -> None:
    """jsonschema-rs answers "valid" for the usual document; jsonschema finds the located errors.
    They must agree on validity, or a warning would be lost on the fast path."""
    from generator.load.asyncapi import SCHEMAS, _fast_validator, asyncapi_validator

    try:
        data = json.loads(path.read_text()) if path.suffix == ".json" else yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        pytest.skip("not YAML: the reader refuses it before validation")
    version = data.get("asyncapi") if isinstance(data, dict) else None
    if version not in SCHEMAS:
        pytest.skip("no supported version: refused before validation")
    located = list(asyncapi_validator(version).iter_errors(data))
    assert _fast_validator(version).is_valid(data) == (not located), [e.message for e in located[:3]]
