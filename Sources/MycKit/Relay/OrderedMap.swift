/// A small insertion-ordered dictionary with JavaScript `Map`/object semantics: updating an
/// existing key keeps its position, removing and re-adding moves it to the end. Used for
/// everything the relay shows in order (rooms in creation order, members in join order,
/// bindings in insertion order). Removal is O(n); the maps it holds are small.
struct OrderedMap<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private(set) var keys: [Key] = []
    private var storage: [Key: Value] = [:]

    init() {}

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    subscript(key: Key) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Like `Dictionary`'s: reads fall back to `defaultValue`; writes insert or update.
    subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { storage[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// Mutates the value for `key` in place (no copy of the value); `nil` when absent.
    @discardableResult
    mutating func withValue<R>(forKey key: Key, _ body: (inout Value) -> R) -> R? {
        guard storage[key] != nil else { return nil }
        return body(&storage[key]!)
    }

    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? {
        guard let old = storage.removeValue(forKey: key) else { return nil }
        keys.remove(at: keys.firstIndex(of: key)!)
        return old
    }

    /// `(key, value)` pairs in order.
    var elements: [(key: Key, value: Value)] {
        keys.map { ($0, storage[$0]!) }
    }

    /// Values in order.
    var values: [Value] {
        keys.map { storage[$0]! }
    }

    /// The first key (in order) whose value satisfies `predicate`.
    func firstKey(where predicate: (Value) -> Bool) -> Key? {
        keys.first { predicate(storage[$0]!) }
    }
}

extension OrderedMap: Equatable where Value: Equatable {
    static func == (lhs: OrderedMap, rhs: OrderedMap) -> Bool {
        lhs.keys == rhs.keys && lhs.storage == rhs.storage
    }
}
