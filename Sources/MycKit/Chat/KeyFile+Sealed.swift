extension KeyFile {
    /// The file exists and is a passphrase envelope (so starting needs a passphrase). An
    /// unreadable or unparsable file counts as not sealed: loading it then reports why.
    public var isSealed: Bool {
        guard let bytes = try? AtomicFile.read(path), let object = try? JSONParser.parseObject(bytes) else { return false }
        return PassphraseEnvelope.isEnvelope(object)
    }
}
