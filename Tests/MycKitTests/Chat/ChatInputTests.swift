@testable import MycKit
import Testing

@Suite struct ChatInputTests {
    let peers = ["bob", "bob smith", "carol", "K"]

    @Test func plainLinesBroadcast() {
        #expect(ChatInput.parse("hello all", knownPeers: peers) == .broadcast(text: "hello all"))
        #expect(ChatInput.parse("note: not a peer", knownPeers: peers) == .broadcast(text: "note: not a peer"))
        #expect(ChatInput.parse("bob:no space is not an address", knownPeers: peers)
            == .broadcast(text: "bob:no space is not an address"))
        #expect(ChatInput.parse("   ", knownPeers: peers) == .empty)
        #expect(ChatInput.parse("", knownPeers: peers) == .empty)
        #expect(ChatInput.parse("//etc/passwd is a path", knownPeers: peers) == .broadcast(text: "/etc/passwd is a path"))
    }

    @Test func nameColonIsUnicastToTheLongestKnownName() {
        #expect(ChatInput.parse("bob: hi there", knownPeers: peers) == .unicast(target: "bob", text: "hi there"))
        #expect(ChatInput.parse("bob smith: hi", knownPeers: peers) == .unicast(target: "bob smith", text: "hi"))
        #expect(ChatInput.parse("carol:  two spaces", knownPeers: peers) == .unicast(target: "carol", text: "two spaces"))
        if case .invalid(let hint) = ChatInput.parse("bob:", knownPeers: peers) {
            #expect(hint.contains("needs a message"))
        } else {
            Issue.record("an empty unicast is refused")
        }
    }

    @Test func namesCompareByBytesNotCanonicalEquivalence() {
        // U+212A KELVIN SIGN is canonically equivalent to "K" in Swift, but another peer on the wire.
        #expect(ChatInput.parse("\u{212A}: hi", knownPeers: peers) == .broadcast(text: "\u{212A}: hi"))
        #expect(ChatInput.parse("K: hi", knownPeers: peers) == .unicast(target: "K", text: "hi"))
        #expect(ChatInput.parse("/room caf\u{E9}", knownPeers: []) == .room("caf\u{E9}"))
    }

    @Test func commandsAndTheirArguments() {
        #expect(ChatInput.parse("/help", knownPeers: []) == .help)
        #expect(ChatInput.parse("/rooms", knownPeers: []) == .rooms)
        #expect(ChatInput.parse("/peers", knownPeers: []) == .peers)
        #expect(ChatInput.parse("/room ops", knownPeers: []) == .room("ops"))
        #expect(ChatInput.parse("/verify", knownPeers: []) == .verify(peer: nil))
        #expect(ChatInput.parse("/verify bob", knownPeers: []) == .verify(peer: "bob"))
        #expect(ChatInput.parse("/trust bob", knownPeers: []) == .trust(peer: "bob", room: nil))
        #expect(ChatInput.parse("/trust bob ops", knownPeers: []) == .trust(peer: "bob", room: "ops"))
        #expect(ChatInput.parse("/rotate", knownPeers: []) == .rotate)
        #expect(ChatInput.parse("/approve req-7", knownPeers: []) == .approve(requestID: "req-7"))
        #expect(ChatInput.parse("/deny req-7", knownPeers: []) == .deny(requestID: "req-7"))
        #expect(ChatInput.parse("/quit", knownPeers: []) == .quit)
        #expect(ChatInput.parse("/msg bob hello  world ", knownPeers: []) == .unicast(target: "bob", text: "hello  world"), "inner spacing kept, the line end trimmed")
        #expect(ChatInput.parse("  /msg  bob   spaced", knownPeers: []) == .broadcast(text: "  /msg  bob   spaced"),
                "a command starts at the first column")
    }

    @Test func badCommandsGetAOneLineUsageHint() {
        let cases: [(String, String)] = [
            ("/frobnicate", "unknown command /frobnicate"),
            ("/room", "usage: /room NAME"),
            ("/room a b", "usage: /room NAME"),
            ("/msg bob", "usage: /msg NAME TEXT"),
            ("/msg", "usage: /msg NAME TEXT"),
            ("/trust", "usage: /trust NAME [ROOM]"),
            ("/trust a b c", "usage: /trust NAME [ROOM]"),
            ("/approve", "usage: /approve ID"),
            ("/deny a b", "usage: /deny ID"),
            ("/verify a b", "usage: /verify [NAME]"),
            ("/quit now", "usage: /quit"),
            ("/help me", "usage: /help"),
        ]
        for (line, expected) in cases {
            guard case .invalid(let hint) = ChatInput.parse(line, knownPeers: []) else {
                Issue.record("\(line) should be refused")
                continue
            }
            #expect(hint.hasPrefix(expected), "\(line): \(hint)")
            #expect(!hint.contains("\n"), "one line")
        }
    }

    @Test func helpListsEveryCommand() {
        let help = ChatCommandSpec.helpText
        for spec in ChatCommandSpec.all { #expect(help.contains(spec.usage)) }
    }
}

@Suite struct ChatCompletionTests {
    let completion = ChatCompletion(peers: ["bob", "bobby", "carol", "zoë"], rooms: ["default", "ops"], permissionIDs: ["req-7"])

    @Test func atLineStartNamesCompleteToAnAddress() {
        #expect(completion.candidates(before: "", word: "ca") == ["carol:"])
        #expect(completion.candidates(before: "", word: "bo") == ["bob:", "bobby:"])
        #expect(completion.candidates(before: "", word: "zo") == ["zoë:"])
        #expect(completion.candidates(before: "", word: "x") == [])
    }

    @Test func commandsThenTheirArguments() {
        #expect(completion.candidates(before: "", word: "/r") == ["/room", "/rooms", "/rotate"])
        #expect(completion.candidates(before: "", word: "/tr") == ["/trust"])
        #expect(completion.candidates(before: "/room ", word: "o") == ["ops"])
        #expect(completion.candidates(before: "/msg ", word: "c") == ["carol"])
        #expect(completion.candidates(before: "/trust ", word: "b") == ["bob", "bobby"])
        #expect(completion.candidates(before: "/trust bob ", word: "") == ["default", "ops"])
        #expect(completion.candidates(before: "/approve ", word: "") == ["req-7"])
        #expect(completion.candidates(before: "/peers ", word: "") == [])
        #expect(completion.candidates(before: "/msg bob ", word: "c") == [], "the message text is not completed")
    }

    @Test func midLineWordsCompleteToNames() {
        #expect(completion.candidates(before: "hey ", word: "car") == ["carol"])
    }

    @Test func commonPrefixStopsAtWholeCharacters() {
        #expect(ChatCompletion.commonPrefix(["bob:", "bobby:"]) == "bob")
        #expect(ChatCompletion.commonPrefix(["zoë", "zoé"]) == "zo", "ë and é share their first UTF-8 byte")
        #expect(ChatCompletion.commonPrefix(["a"]) == "a")
        #expect(ChatCompletion.commonPrefix([]) == "")
    }
}
