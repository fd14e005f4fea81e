import ArgumentParser
import MycKit

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an identity key file and print its public key and fingerprint.",
        discussion: """
            The file is written atomically with mode 0600, in the same format as the TypeScript \
            implementation, so an identity moves between the two unchanged. With a passphrase it is \
            sealed with Argon2id + XSalsa20-Poly1305. An existing file is never replaced without --force: \
            replacing an identity breaks every pin and relay binding of the old key.
            """
    )

    @OptionGroup var identity: IdentityOptions

    @Flag(name: .long, help: "Create a relay identity (RELAY_KEY_FILE format {public, private}) instead of a peer identity.")
    var relayKey = false

    @Flag(name: .long, help: "Replace an existing key file.")
    var force = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let config = Configuration.process
        let layout: KeyFile.Layout = relayKey ? .relay : .peer
        let file = identity.keyFile(layout: layout, config)
        if file.exists && !force { throw CLIError(KeyFileError.alreadyExists(path: file.path).description) }
        let passphrase = try identity.passphrase(layout: layout, config, confirmPrompt: true)
        let created = try file.create(passphrase: passphrase, overwrite: force)
        if json {
            let out: JSONObject = [
                "path": .string(file.path),
                "public_key": .string(created.publicKey.base64),
                "fingerprint": .string(created.fingerprint.text),
                "sealed": .bool(passphrase != nil),
                "kind": .string(relayKey ? "relay" : "peer"),
            ]
            print(JSONSerializer.string(of: .object(out)))
        } else {
            print("Created \(relayKey ? "relay" : "peer") identity: \(file.path)\(passphrase != nil ? " (passphrase-sealed)" : "")")
            print("Public key:  \(created.publicKey.base64)")
            print("Fingerprint: \(created.fingerprint)")
        }
    }
}

/// A failure already phrased for the person at the terminal.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
