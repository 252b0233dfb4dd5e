"""Real HTTP test servers the generated SDK's end-to-end tests talk to."""

from tests.servers.faults import Fault
from tests.servers.jsonrpc import JsonRpcServer
from tests.servers.keys import PublicKey, TestKeys, load_test_keys
from tests.servers.records import RecordedRequest, RequestLog
from tests.servers.rest import RestServer

__all__ = [
    "Fault",
    "JsonRpcServer",
    "PublicKey",
    "RecordedRequest",
    "RequestLog",
    "RestServer",
    "TestKeys",
    "load_test_keys",
]
