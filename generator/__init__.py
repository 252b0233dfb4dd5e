"""sdkgen: typed Python SDKs from OpenAPI and OpenRPC specs (load → IR → render → write)."""
