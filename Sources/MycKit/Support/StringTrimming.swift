extension String {
    /// Trims ASCII and Unicode whitespace without Foundation, as JavaScript's `trim()` does
    /// for the characters that matter in configuration values.
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Length in UTF-16 code units: JavaScript's `.length`, which the protocol's limits count.
    public var jsLength: Int { utf16.count }
}
