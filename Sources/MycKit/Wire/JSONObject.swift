/// An insertion-ordered JSON object with JavaScript's semantics.
///
/// Why not `[String: JSONValue]`: the protocol signs over key *presence* (a key holding
/// `null` differs from a missing key, §2.2), and the relay must re-serialize frames in
/// the order it received them, so both order and presence have to survive a round trip.
///
/// Assigning to an existing key replaces its value but keeps its position, exactly like
/// `obj.k = v` in JavaScript; this is also how `JSONParser` resolves duplicate keys
/// (last value wins, first position kept — what `JSON.parse` does).
///
/// Equality is order-sensitive: two objects are equal only if they hold the same keys in
/// the same order with equal values, because they would serialize differently otherwise.
public struct JSONObject: Sendable, Hashable {
    fileprivate struct Entry: Sendable, Hashable {
        var key: String
        var value: JSONValue
    }

    private var entries: [Entry] = []

    /// Hash index, built only for large objects. Wire frames have ~15–20 keys, where a
    /// linear scan beats hashing; hostile frames with thousands of keys must not make
    /// parsing quadratic, so past `indexThreshold` lookups go through the dictionary.
    /// Keys compare by bytes (`ExactString`), like JavaScript property names: `"K"` and the
    /// Kelvin sign are two keys, where Swift's `String ==` would merge them.
    private var index: [ExactString: Int]?
    private static let indexThreshold = 16

    /// An empty object.
    public init() {}

    /// An object with `pairs` in order. A repeated key behaves like a repeated assignment.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// The number of keys.
    public var count: Int { entries.count }

    /// `true` when the object has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// Whether `key` is present (with any value, including `null`).
    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// The value for `key`: `nil` only when the key is absent, `.null` for an explicit null.
    /// Setting `nil` removes the key; setting a value keeps an existing key's position.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(of: key) else { return nil }
            return entries[i].value
        }
        set {
            if let newValue {
                if let i = position(of: key) {
                    entries[i].value = newValue
                } else {
                    append(key, newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its former value, or `nil` if it was absent.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = position(of: key) else { return nil }
        let old = entries.remove(at: i).value
        // Positions after `i` shifted; rebuilding is O(n) but removal is rare.
        rebuildIndex()
        return old
    }

    private mutating func append(_ key: String, _ value: JSONValue) {
        entries.append(Entry(key: key, value: value))
        if index != nil {
            index![ExactString(key)] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.indexThreshold else {
            index = nil
            return
        }
        var map = [ExactString: Int](minimumCapacity: entries.count)
        for (i, entry) in entries.enumerated() { map[ExactString(entry.key)] = i }
        index = map
    }

    private func position(of key: String) -> Int? {
        if let index { return index[ExactString(key)] }
        return entries.firstIndex { $0.key.isExactly(key) }
    }

    // The index is derived data; leaving it out keeps equality purely about content.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries == rhs.entries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries)
    }
}

extension JSONObject: Sequence {
    public typealias Element = (key: String, value: JSONValue)

    /// Iterates `(key, value)` pairs in insertion order.
    public struct Iterator: IteratorProtocol {
        private var base: IndexingIterator<[Entry]>

        fileprivate init(_ entries: [Entry]) { base = entries.makeIterator() }

        public mutating func next() -> (key: String, value: JSONValue)? {
            guard let entry = base.next() else { return nil }
            return (entry.key, entry.value)
        }
    }

    public func makeIterator() -> Iterator { Iterator(entries) }

    public var underestimatedCount: Int { entries.count }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        entries.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }
}

extension JSONObject: CustomStringConvertible {
    /// Compact `JSON.stringify` text.
    public var description: String { JSONSerializer.string(of: .object(self)) }
}
