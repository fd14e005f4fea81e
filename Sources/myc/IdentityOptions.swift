import ArgumentParser
import MycKit

/// Flags shared by every command that opens an identity key file.
struct IdentityOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Identity key file (env MYC_KEY_FILE, or RELAY_KEY_FILE with --relay-key; default ~/.mycelium-keys.json or ~/.mycelium-relay-keys.json).",
        valueName: "path"))
    var keyFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "Read the key-file passphrase from the first line of this file (else env MYC_KEY_PASSPHRASE / RELAY_KEY_PASSPHRASE).",
        valueName: "path"))
    var passphraseFile: String?

    @Flag(name: .long, help: "Prompt for the key-file passphrase on the terminal (no echo).")
    var passphrase = false

    func keyFile(layout: KeyFile.Layout, _ config: Configuration) -> KeyFile {
        let variable = layout == .peer ? "MYC_KEY_FILE" : "RELAY_KEY_FILE"
        return KeyFile(path: config.path(keyFile, variable, default: layout.defaultPath), layout: layout)
    }

    /// The passphrase in precedence order: file flag, prompt flag, environment. `nil` means none.
    func passphrase(layout: KeyFile.Layout, _ config: Configuration, confirmPrompt: Bool) throws -> String? {
        if let passphraseFile { return try PassphraseSource.fromFile(passphraseFile) }
        if passphrase {
            return try PassphraseSource.prompt("Key-file passphrase: ", confirm: confirmPrompt)
        }
        return config.string(nil, layout.passphraseVariable)
    }
}
