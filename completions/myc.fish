function __myc_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __myc_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __myc_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __myc_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __myc_parse_tokens -S
    set -l unparsed_tokens (__myc_tokens -pc)
    switch $unparsed_tokens[1]
    case 'myc'
        __myc_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'relay'
            __myc_parse_subcommand 0 'host=' 'port=' 'db=' 'key-file=' 'passphrase-file=' 'token-file=' 'admin-token-file=' 'health-token-file=' 'tls-cert=' 'tls-key=' 'event-loops=' 'log-level=' 'version' 'h/help'
        case 'mcp'
            __myc_parse_subcommand 0 'relay=' 'name=' 'room=' 'token-file=' 'key-file=' 'passphrase-file=' 'state-db=' 'relay-fingerprint=' 'approvers=' 'tls-ca=' 'log-level=' 'version' 'h/help'
        case 'chat'
            __myc_parse_subcommand 0 'relay=' 'name=' 'room=' 'token-file=' 'key-file=' 'passphrase-file=' 'state-db=' 'relay-fingerprint=' 'tls-ca=' 'json' 'wait=' 'log-level=' 'version' 'h/help'
        case 'keygen'
            __myc_parse_subcommand 0 'key-file=' 'passphrase-file=' 'passphrase' 'relay-key' 'force' 'json' 'version' 'h/help'
        case 'fingerprint'
            __myc_parse_subcommand 0 'key-file=' 'passphrase-file=' 'passphrase' 'relay-key' 'pubkey=' 'relay=' 'tls-ca=' 'peer=' 'peers' 'state-db=' 'json' 'version' 'h/help'
        case 'trust'
            __myc_parse_subcommand 1 'room=' 'fingerprint=' 'yes' 'state-db=' 'key-file=' 'version' 'h/help'
        case 'allow'
            __myc_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __myc_parse_subcommand 0 'db=' 'admin-url=' 'admin-token=' 'room=' 'json' 'version' 'h/help'
            case 'add'
                __myc_parse_subcommand 0 'db=' 'admin-url=' 'admin-token=' 'room=' 'name=' 'pubkey=' 'version' 'h/help'
            case 'revoke'
                __myc_parse_subcommand 0 'db=' 'admin-url=' 'admin-token=' 'room=' 'name=' 'pubkey=' 'version' 'h/help'
            case 'unrevoke'
                __myc_parse_subcommand 0 'db=' 'admin-url=' 'admin-token=' 'room=' 'pubkey=' 'version' 'h/help'
            end
        case 'demo'
            __myc_parse_subcommand 0 'message=+' 'version' 'h/help'
        case 'help'
            __myc_parse_subcommand -r 1 'version'
        end
    end
end

function __myc_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else if test "$argv" = -tC
        # fish 3: the cursor's offset in the current token (patched by scripts/regenerate-docs)
        set -l token (commandline -ct)
        string length -- "$token"
    else if test "$argv" = --empty-token
        echo ''
    else
        commandline -o $argv
    end
end

function __myc_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __myc_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __myc_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__myc_tokens -p)
    if test -z "$(__myc_tokens -t)"
        set -l index (count (__myc_tokens -pc))
        if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
            set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
        else
            set tokens $tokens[..$index] (__myc_tokens --empty-token) $tokens[(math $index + 1)..]
        end
    end
    command $tokens[1] $argv $tokens
end

complete -c 'myc' -f
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'relay' -d 'Run the WebSocket relay: routes ciphertext it cannot read, queues mail for offline peers.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'mcp' -d 'The MCP server (stdio) that Claude Code starts: holds the identity, does all the crypto.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'chat' -d 'Join the rooms as a person: a terminal peer next to the Claude Code instances.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'keygen' -d 'Create an identity key file and print its public key and fingerprint.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'fingerprint' -d 'Print a fingerprint for out-of-band verification.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'trust' -d 'Trust a peer\'s new key after checking its fingerprint out of band.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'allow' -d 'Manage the relay\'s name↔key bindings and revocations.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'demo' -d 'See the threat model for yourself: a relay and two peers on loopback, and what the relay saw.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" host' -l 'host' -d 'Bind address (env RELAY_HOST, default 0.0.0.0).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" port' -l 'port' -d 'Listen port; 0 picks a free one (env RELAY_PORT, default 9900).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" db' -l 'db' -d 'SQLite state database (env RELAY_DB, default ~/.mycelium-relay.db).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" key-file' -l 'key-file' -d 'Relay identity key file (env RELAY_KEY_FILE, default ~/.mycelium-relay-keys.json).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" passphrase-file' -l 'passphrase-file' -d 'Key-file passphrase from this file\'s first line (else env RELAY_KEY_PASSPHRASE).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" token-file' -l 'token-file' -d 'Invite token from this file; created with a random token if missing (else env RELAY_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" admin-token-file' -l 'admin-token-file' -d 'Admin bearer token from this file (else env RELAY_ADMIN_TOKEN; unset = loopback only).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" health-token-file' -l 'health-token-file' -d 'Health/metrics bearer token from this file (else env RELAY_HEALTH_TOKEN; unset = admin rule).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" tls-cert' -l 'tls-cert' -d 'TLS certificate chain (PEM): serve wss:// and https:// directly (env RELAY_TLS_CERT).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" tls-key' -l 'tls-key' -d 'TLS private key (PEM) for --tls-cert (env RELAY_TLS_KEY).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" event-loops' -l 'event-loops' -d 'Event-loop threads for the sockets (env RELAY_EVENT_LOOPS, default 1). Routing is serialized anyway, so 1 spends the least CPU per frame; more can help TLS on many cores.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" log-level' -l 'log-level' -d 'Log level: trace, debug, info, notice, warning, error, critical.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc relay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" relay' -l 'relay' -d 'Relay URL list, comma-separated (env MYC_RELAY).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" name' -l 'name' -d 'This peer\'s name (env MYC_PEER).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" room' -l 'room' -d 'Rooms, comma-separated (env MYC_ROOM, default: default).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" token-file' -l 'token-file' -d 'Invite token from this file\'s first line (else env MYC_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" key-file' -l 'key-file' -d 'Identity key file (env MYC_KEY_FILE).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" passphrase-file' -l 'passphrase-file' -d 'Key-file passphrase from this file (else env MYC_KEY_PASSPHRASE).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" state-db' -l 'state-db' -d 'State database (env MYC_STATE_DB).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" relay-fingerprint' -l 'relay-fingerprint' -d 'Allowed relay fingerprints, comma-separated (env MYC_RELAY_FINGERPRINT).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" approvers' -l 'approvers' -d 'Peers whose permission verdicts count (env MYC_APPROVERS).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" tls-ca' -l 'tls-ca' -d 'CA certificates (PEM) for wss:// relays (env MYC_TLS_CA).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc mcp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" relay' -l 'relay' -d 'Relay URL list, comma-separated (env MYC_RELAY).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" name' -l 'name' -d 'This peer\'s name (env MYC_PEER).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" room' -l 'room' -d 'Rooms, comma-separated; the first is current (env MYC_ROOM, default: default).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" token-file' -l 'token-file' -d 'Invite token from this file\'s first line (else env MYC_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" key-file' -l 'key-file' -d 'Identity key file (env MYC_KEY_FILE, default ~/.mycelium-keys.json).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" passphrase-file' -l 'passphrase-file' -d 'Key-file passphrase from this file (else env MYC_KEY_PASSPHRASE, else a prompt when the file is sealed).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" state-db' -l 'state-db' -d 'State database (env MYC_STATE_DB).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" relay-fingerprint' -l 'relay-fingerprint' -d 'Allowed relay fingerprints, comma-separated (env MYC_RELAY_FINGERPRINT).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" tls-ca' -l 'tls-ca' -d 'CA certificates (PEM) for wss:// relays (env MYC_TLS_CA).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" json' -l 'json' -d 'Without a terminal: print incoming messages and events as JSON lines.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" wait' -l 'wait' -d 'Without a terminal: seconds to wait at end of input for pending sends (default 60).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" log-level' -l 'log-level' -d 'Log level on stderr: trace, debug, info, notice, warning, error.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc chat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" key-file' -l 'key-file' -d 'Identity key file (env MYC_KEY_FILE, or RELAY_KEY_FILE with --relay-key; default ~/.mycelium-keys.json or ~/.mycelium-relay-keys.json).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" passphrase-file' -l 'passphrase-file' -d 'Read the key-file passphrase from the first line of this file (else env MYC_KEY_PASSPHRASE / RELAY_KEY_PASSPHRASE).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" passphrase' -l 'passphrase' -d 'Prompt for the key-file passphrase on the terminal (no echo).'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" relay-key' -l 'relay-key' -d 'Create a relay identity (RELAY_KEY_FILE format {public, private}) instead of a peer identity.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" force' -l 'force' -d 'Replace an existing key file.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" key-file' -l 'key-file' -d 'Identity key file (env MYC_KEY_FILE, or RELAY_KEY_FILE with --relay-key; default ~/.mycelium-keys.json or ~/.mycelium-relay-keys.json).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" passphrase-file' -l 'passphrase-file' -d 'Read the key-file passphrase from the first line of this file (else env MYC_KEY_PASSPHRASE / RELAY_KEY_PASSPHRASE).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" passphrase' -l 'passphrase' -d 'Prompt for the key-file passphrase on the terminal (no echo).'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" relay-key' -l 'relay-key' -d 'Read a relay key file (RELAY_KEY_FILE format) instead of a peer identity.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" pubkey' -l 'pubkey' -d 'Fingerprint this base64 Ed25519 public key.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" relay' -l 'relay' -d 'Connect to this relay (ws:// or wss://) and fingerprint its verified identity.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" tls-ca' -l 'tls-ca' -d 'Trust these CA certificates (PEM) for a wss:// relay, e.g. a self-signed one (env MYC_TLS_CA).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" peer' -l 'peer' -d 'Print the fingerprints pinned for this peer, per room.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" peers' -l 'peers' -d 'Print every pinned peer: room, name, fingerprint, last seen.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" state-db' -l 'state-db' -d 'The peer state database for --peer/--peers (env MYC_STATE_DB; default: next to the key file).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" json' -l 'json' -d 'Print the result as JSON.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc fingerprint" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc trust" -eq 1' -fka '(__myc_custom_completion ---completion trust -- positional@0 (count (__myc_tokens -pc)) (__myc_tokens -tC))'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" room' -l 'room' -d 'The room, when the peer is blocked in several.' -rfka '(__myc_custom_completion ---completion trust -- --room (count (__myc_tokens -pc)) (__myc_tokens -tC))'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" fingerprint' -l 'fingerprint' -d 'The fingerprint the peer read you out of band; confirms without a prompt, refuses on a mismatch.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" yes' -l 'yes' -d 'On a terminal, trust after showing the fingerprint without asking to type `yes`.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" state-db' -l 'state-db' -d 'The peer\'s state database (env MYC_STATE_DB; default: next to the key file, ~/.mycelium-keys.state.db).' -rF
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" key-file' -l 'key-file' -d 'Identity key file whose state database to use (env MYC_KEY_FILE; default ~/.mycelium-keys.json). Not read.' -rF
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc trust" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc allow" -eq 1' -fa 'list' -d 'Show bindings, legacy keys and revocations.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc allow" -eq 1' -fa 'add' -d 'Pre-register a peer: bind NAME to PUBKEY in ROOM, so it needs no invite token.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc allow" -eq 1' -fa 'revoke' -d 'Revoke a peer\'s key in a room (by name or key); a live peer is disconnected.'
complete -c 'myc' -n '__myc_should_offer_completions_for_positional "myc allow" -eq 1' -fa 'unrevoke' -d 'Lift a revocation. The key must register again (token or `myc allow add`).'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" db' -l 'db' -d 'The relay\'s database (env RELAY_DB, default ~/.mycelium-relay.db).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" admin-url' -l 'admin-url' -d 'Use a relay\'s admin API instead of its database, e.g. http://127.0.0.1:9900.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" admin-token' -l 'admin-token' -d 'Admin bearer token for --admin-url (else env RELAY_ADMIN_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" room' -l 'room' -d 'Only this room.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" json' -l 'json' -d 'Print the allow-list JSON (version 2 format).'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" db' -l 'db' -d 'The relay\'s database (env RELAY_DB, default ~/.mycelium-relay.db).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" admin-url' -l 'admin-url' -d 'Use a relay\'s admin API instead of its database, e.g. http://127.0.0.1:9900.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" admin-token' -l 'admin-token' -d 'Admin bearer token for --admin-url (else env RELAY_ADMIN_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" room' -l 'room' -d 'Room.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" name' -l 'name' -d 'Peer name.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" pubkey' -l 'pubkey' -d 'The peer\'s base64 Ed25519 public key (`myc keygen` prints it).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" db' -l 'db' -d 'The relay\'s database (env RELAY_DB, default ~/.mycelium-relay.db).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" admin-url' -l 'admin-url' -d 'Use a relay\'s admin API instead of its database, e.g. http://127.0.0.1:9900.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" admin-token' -l 'admin-token' -d 'Admin bearer token for --admin-url (else env RELAY_ADMIN_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" room' -l 'room' -d 'Room.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" name' -l 'name' -d 'Peer name.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" pubkey' -l 'pubkey' -d 'Base64 public key.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" db' -l 'db' -d 'The relay\'s database (env RELAY_DB, default ~/.mycelium-relay.db).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" admin-url' -l 'admin-url' -d 'Use a relay\'s admin API instead of its database, e.g. http://127.0.0.1:9900.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" admin-token' -l 'admin-token' -d 'Admin bearer token for --admin-url (else env RELAY_ADMIN_TOKEN).' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" room' -l 'room' -d 'Room.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" pubkey' -l 'pubkey' -d 'Base64 public key.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc allow unrevoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc demo"' -l 'message' -d 'A message to send instead of the built-in ones; repeat it for more. Alice sends the first, bob answers, and so on.' -rfka ''
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc demo" version' -l 'version' -d 'Show the version.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc demo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'myc' -n '__myc_should_offer_completions_for_flags_or_options "myc help" version' -l 'version' -d 'Show the version.'
