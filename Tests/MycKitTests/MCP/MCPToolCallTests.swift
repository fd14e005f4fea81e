import Testing
@testable import MycKit

/// `tools/call` arguments → typed calls, and every way they can be wrong.
@Suite struct MCPToolCallTests {
    private func parse(_ name: String, _ arguments: JSONObject) -> Result<MCPToolCall, MCPToolCall.Failure> {
        MCPToolCall.parse(name: name, arguments: arguments)
    }

    private func argumentError(_ name: String, _ arguments: JSONObject) -> MCPArgumentError? {
        if case .failure(.invalidArguments(let error)) = parse(name, arguments) { return error }
        return nil
    }

    @Test func sendWithEveryArgument() {
        let call = parse("myc_send", ["target": "bob", "text": "hi", "type": "task", "request_id": "q1", "room": "ops"])
        #expect(call == .success(.send(SendRequest(target: "bob", text: "hi", type: "task", requestID: "q1", room: "ops"))))
    }

    @Test func sendKeepsTheRawTypeForTheFilter() {
        // The type filter belongs to the service (§5.16); the face passes the raw value on.
        #expect(parse("myc_send", ["target": "bob", "text": "hi", "type": 5])
            == .success(.send(SendRequest(target: "bob", text: "hi", type: 5))))
        #expect(parse("myc_send", ["target": "bob", "text": "hi", "type": nil])
            == .success(.send(SendRequest(target: "bob", text: "hi", type: .null))))
        #expect(parse("myc_send", ["target": "bob", "text": "hi"])
            == .success(.send(SendRequest(target: "bob", text: "hi", type: nil))))
    }

    @Test func emptyRoomMeansNoRoom() {
        #expect(parse("myc_send", ["target": "bob", "text": "hi", "room": ""])
            == .success(.send(SendRequest(target: "bob", text: "hi"))))
        #expect(parse("myc_broadcast", ["text": "hi", "room": ""])
            == .success(.broadcast(BroadcastRequest(text: "hi"))))
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var tool: String
        var arguments: JSONObject
        var argument: String
        var problem: MCPArgumentError.Problem
        var testDescription: String { "\(tool) \(arguments) → \(argument)" }
        init(_ tool: String, _ arguments: JSONObject, _ argument: String, _ problem: MCPArgumentError.Problem) {
            (self.tool, self.arguments, self.argument, self.problem) = (tool, arguments, argument, problem)
        }
    }

    @Test(arguments: [
        BadCase("myc_send", ["text": "hi"], "target", .missing),
        BadCase("myc_send", ["target": "bob"], "text", .missing),
        BadCase("myc_send", ["target": nil, "text": "hi"], "target", .missing),
        BadCase("myc_send", ["target": 7, "text": "hi"], "target", .wrongType("a string")),
        BadCase("myc_send", ["target": "bob", "text": ["x"]], "text", .wrongType("a string")),
        BadCase("myc_send", ["target": "bob", "text": "hi", "request_id": 3], "request_id", .wrongType("a string")),
        BadCase("myc_send", ["target": "bob", "text": "hi", "room": true], "room", .wrongType("a string")),
        BadCase("myc_broadcast", [:], "text", .missing),
        BadCase("myc_broadcast", ["text": "hi", "include_offline": "yes"], "include_offline", .wrongType("a boolean")),
        BadCase("myc_recv", ["max": "10"], "max", .wrongType("a number")),
        BadCase("myc_recv", ["peek": 1], "peek", .wrongType("a boolean")),
        BadCase("myc_trust", [:], "peer_name", .missing),
        BadCase("myc_trust", ["peer_name": "bob", "confirm": "true"], "confirm", .wrongType("a boolean")),
        BadCase("myc_verify", ["peer_name": 1], "peer_name", .wrongType("a string")),
    ])
    func badArguments(_ bad: BadCase) throws {
        let error = try #require(argumentError(bad.tool, bad.arguments))
        #expect(error == MCPArgumentError(tool: bad.tool, argument: bad.argument, problem: bad.problem))
        #expect(error.description.hasPrefix("❌ \(bad.tool): "))
        #expect(error.description.contains("\"\(bad.argument)\""))
    }

    @Test func missingArgumentMessageIsClear() {
        #expect(argumentError("myc_send", ["text": "hi"])?.description == "❌ myc_send: missing required argument \"target\".")
    }

    @Test(arguments: [
        (nil, 50), (JSONValue.null, 50), (0, 50), (-5, 50), (-0.0, 50), (0.5, 50),
        (1, 1), (2.9, 2), (50, 50), (499, 499), (500, 500), (501, 500), (1e9, 500),
        (.number(.infinity), 500), (.number(-.infinity), 50), (.number(.nan), 50),
    ] as [(JSONValue?, Int)])
    func recvMax(value: JSONValue?, expected: Int) throws {
        #expect(try MCPToolCall.recvMax(value) == expected)
    }

    @Test func recvDefaults() {
        #expect(parse("myc_recv", [:]) == .success(.recv(max: 50, peek: false)))
        #expect(parse("myc_recv", ["max": 3, "peek": true]) == .success(.recv(max: 3, peek: true)))
    }

    @Test func noArgumentTools() {
        #expect(parse("myc_peers", [:]) == .success(.peers))
        #expect(parse("myc_rooms", ["ignored": 1]) == .success(.rooms))
    }

    @Test func trustAndVerify() {
        #expect(parse("myc_trust", ["peer_name": "m"]) == .success(.trust(peer: "m", room: nil, confirm: false)))
        #expect(parse("myc_trust", ["peer_name": "m", "room": "r", "confirm": true])
            == .success(.trust(peer: "m", room: "r", confirm: true)))
        #expect(parse("myc_verify", [:]) == .success(.verify(peer: nil, room: nil)))
        #expect(parse("myc_verify", ["peer_name": ""]) == .success(.verify(peer: nil, room: nil)))
        #expect(parse("myc_verify", ["peer_name": "bob", "room": "r"]) == .success(.verify(peer: "bob", room: "r")))
    }

    @Test func rotateKeyConfirmIsABoolean() {
        #expect(parse("myc_rotate_key", [:]) == .success(.rotateKey(confirm: false)))
        #expect(parse("myc_rotate_key", ["confirm": true]) == .success(.rotateKey(confirm: true)))
    }

    @Test(arguments: ["myc_rotate", "myc_nope", "", "MYC_SEND"])
    func unknownTools(name: String) {
        #expect(parse(name, [:]) == .failure(.unknownTool(name)))
    }
}
