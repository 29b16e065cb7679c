// The WebSocket client is one of the client's transports (lesson 13).

extension IMWebSocketClient: IMTransport {}
