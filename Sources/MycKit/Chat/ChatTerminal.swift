import CEditLine
import Foundation
import Synchronization

/// The terminal edge of `myc chat`: libedit in readline *callback* mode on a thread of its
/// own that `poll()`s stdin and a self-pipe (STACK.md). Everything that touches libedit or
/// the screen happens on that thread, so output never races the line being typed: other
/// tasks queue lines here and write one byte to the pipe; the thread prints them above the
/// prompt and redraws the half-typed line with the cursor where it was.
///
/// There is one terminal per process (libedit's readline layer is global state).
public final class ChatTerminal: ChatDisplay, @unchecked Sendable {
    enum Op {
        case print([String], fd: Int32)
        case prompt(String)
        case remember(String)
        case close
    }

    private let ops = Mutex<[Op]>([])
    private let completionData = Mutex(ChatCompletion(peers: [], rooms: []))
    private let wake: (read: Int32, write: Int32)
    private let history: ChatHistory?
    public let keyboard: AsyncStream<ChatKeyboardEvent>
    private let keyboardContinuation: AsyncStream<ChatKeyboardEvent>.Continuation
    private let finished = Mutex<[CheckedContinuation<Void, Never>]?>([])

    // Owned by the editor thread only.
    private var prompt = "> "
    private var promptBytes: [CChar] = [0]
    private var batch: [String] = []
    private var reinstall = false
    private var closed = false
    /// Characters read from stdin and not yet given to libedit (code points), and the
    /// start of a UTF-8 sequence whose end has not arrived.
    private var input: [Int32] = []
    private var partial: [UInt8] = []
    private var stdinClosed = false

    nonisolated(unsafe) static var current: ChatTerminal?
    nonisolated(unsafe) static var signalPipe: Int32 = -1

    public init(history: ChatHistory?) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wake = (fds[0], fds[1])
        self.history = history
        (keyboard, keyboardContinuation) = AsyncStream.makeStream()
    }

    // MARK: ChatDisplay (any thread)

    public func incoming(_ notification: PeerNotification, lines: [String]) { post(.print(lines, fd: 1)) }
    public func status(_ lines: [String]) { post(.print(lines, fd: 1)) }
    /// A log line for stderr, printed above the prompt like everything else.
    public func log(_ line: String) { post(.print([line], fd: 2)) }
    public func remember(_ line: String) { post(.remember(line)) }
    public func setPrompt(_ prompt: String) { post(.prompt(prompt)) }
    public func setCompletion(_ completion: ChatCompletion) { completionData.withLock { $0 = completion } }
    public func close() { post(.close) }

    private func post(_ op: Op) {
        ops.withLock { $0.append(op) }
        var byte = UInt8(ascii: "o")
        _ = write(wake.write, &byte, 1)
    }

    // MARK: Lifecycle

    /// Starts the editor thread. `keyboard` yields what the person does until `close()`.
    public func start() {
        let thread = Thread { [self] in
            self.runLoop()
            self.keyboardContinuation.finish()
            let waiters = self.finished.withLock { list -> [CheckedContinuation<Void, Never>] in
                defer { list = nil }
                return list ?? []
            }
            waiters.forEach { $0.resume() }
        }
        thread.name = "myc-chat-editor"
        thread.start()
    }

    /// Returns once the editor thread has restored the terminal and stopped.
    public func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let done = finished.withLock { list -> Bool in
                guard list != nil else { return true }
                list!.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: The editor thread

    private func runLoop() {
        Self.current = self
        Self.signalPipe = wake.write
        ChatTerminal.prepareLocale()
        myc_rl_set_catch_signals(0)
        myc_rl_set_readline_name("myc")
        myc_rl_set_streams(myc_stdin(), myc_stdout())
        myc_rl_set_getc { _ in ChatTerminal.current?.nextCharacter() ?? -1 }
        rl_initialize()
        using_history()
        stifle_history(Int32(ChatHistory.limit))
        history?.load()
        _ = "bind ^R em-inc-search-prev".withCString { rl_parse_and_bind($0) }
        myc_rl_set_word_breaks()
        myc_rl_set_append_character(Int32(UInt8(ascii: " ")))
        myc_rl_set_completion { text, start, _ in ChatTerminal.current?.complete(text, start: Int(start)) }
        let previous = installSignalHandlers()
        // Deliver Ctrl-C and resizes here even if the process started with them blocked.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        sigaddset(&wanted, SIGINT)
        sigaddset(&wanted, SIGWINCH)
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        install()
        drainOps()
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        while !closed {
            fds[0].revents = 0
            fds[1].revents = 0
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { break }
            if fds[1].revents != 0 { handleWake() }
            if closed { break }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { readKeys() }
        }
        rl_callback_handler_remove()
        _ = writeAll(1, "\r\n")
        restoreSignalHandlers(previous)
        Self.current = nil
    }

    /// Reads every key already waiting (a paste arrives as one burst), then hands the
    /// completed lines over as one batch.
    private func readKeys() {
        readAvailable()
        while !closed, !input.isEmpty {
            feed()
            if input.isEmpty, stdinHasInput() { readAvailable() }
        }
        if !batch.isEmpty {
            keyboardContinuation.yield(.lines(batch))
            batch = []
        }
        if stdinClosed, !closed {
            // The terminal went away (hangup): nothing more can be typed.
            closed = true
            keyboardContinuation.yield(.terminate)
        }
    }

    /// One libedit step over the buffered input.
    private func feed() {
        rl_callback_read_char()
        if reinstall {
            reinstall = false
            if !closed { install() }
        }
    }

    /// libedit's getc: the next buffered character; when libedit needs more in the middle
    /// of a key sequence, waits for it.
    fileprivate func nextCharacter() -> Int32 {
        while input.isEmpty {
            if stdinClosed { return -1 }
            var fd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, -1)
            readAvailable()
        }
        return input.removeFirst()
    }

    /// Reads what stdin has (it is readable) and decodes whole UTF-8 sequences.
    private func readAvailable() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(STDIN_FILENO, &buffer, buffer.count)
        if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { stdinClosed = true }
        guard n > 0 else { return }
        partial += buffer[..<n]
        var decoded: [Int32] = []
        var index = 0
        while index < partial.count {
            let lead = partial[index]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            guard index + length <= partial.count else { break }
            let slice = Array(partial[index..<(index + length)])
            var scalars = String(decoding: slice, as: UTF8.self).unicodeScalars.makeIterator()
            decoded.append(Int32(bitPattern: scalars.next()?.value ?? 0xFFFD))
            index += length
        }
        partial.removeFirst(index)
        input += decoded
    }

    private func stdinHasInput() -> Bool {
        var fd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, 0) > 0 && fd.revents & Int16(POLLIN) != 0
    }

    private func install() {
        rl_callback_handler_install(promptBytes) { line in ChatTerminal.current?.lineCompleted(line) }
    }

    /// libedit's line handler: a line (which we own and free), or nil at Ctrl-D.
    fileprivate func lineCompleted(_ line: UnsafeMutablePointer<CChar>?) {
        reinstall = true
        guard let line else {
            if !batch.isEmpty {
                keyboardContinuation.yield(.lines(batch))
                batch = []
            }
            keyboardContinuation.yield(.endOfInput)
            return
        }
        batch.append(String(decoding: UnsafeRawBufferPointer(start: line, count: strlen(line)).bindMemory(to: UInt8.self),
                            as: UTF8.self))
        free(line)
    }

    private func handleWake() {
        var buffer = [UInt8](repeating: 0, count: 64)
        var interrupts = 0, resized = false
        while true {
            let n = read(wake.read, &buffer, buffer.count)
            guard n > 0 else { break }
            for byte in buffer[..<n] {
                if byte == UInt8(ascii: "i") { interrupts += 1 }
                if byte == UInt8(ascii: "w") { resized = true }
            }
        }
        if resized { rl_resize_terminal() }
        for _ in 0..<interrupts { interrupt() }
        drainOps()
    }

    private func interrupt() {
        let text = currentLine()
        if !text.isEmpty {
            // libedit's rl_replace_line ignores an empty text and its rl_delete_text leaves
            // the editor's own buffer alone: feed it Ctrl-U (kill the whole line) instead.
            input.insert(0x15, at: 0)
            feed()
        }
        keyboardContinuation.yield(.interrupt(discarded: text))
    }

    private func drainOps() {
        let pending = ops.withLock { list -> [Op] in
            defer { list.removeAll() }
            return list
        }
        var printed: [(lines: [String], fd: Int32)] = []
        for op in pending {
            switch op {
            case let .print(lines, fd): printed.append((lines, fd))
            case .prompt(let text):
                flush(&printed)
                guard !text.isExactly(prompt) else { continue }
                clearEditArea()
                prompt = text
                promptBytes = Array(text.utf8CString)
                _ = rl_set_prompt(promptBytes)
                rl_forced_update_display()
            case .remember(let line):
                if let history { history.add(line) } else { _ = line.withCString { add_history($0) } }
            case .close:
                flush(&printed)
                closed = true
                return
            }
        }
        flush(&printed)
    }

    private func flush(_ printed: inout [(lines: [String], fd: Int32)]) {
        guard !printed.isEmpty else { return }
        printAbove(printed)
        printed.removeAll()
    }

    /// Moves up over the wrapped input rows, clears to the end of the screen, prints, and
    /// lets libedit draw the prompt and the half-typed line again (cursor included).
    private func printAbove(_ blocks: [(lines: [String], fd: Int32)]) {
        clearEditArea()
        for block in blocks {
            var text = ""
            for line in block.lines {
                text += line.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") + "\r\n"
            }
            _ = writeAll(block.fd, text)
        }
        rl_forced_update_display()
    }

    /// Puts the cursor at the start of the prompt's first row and clears from there down:
    /// `rl_forced_update_display` then redraws from that spot.
    private func clearEditArea() {
        myc_fflush_stdout()
        var rows: Int32 = 0, cols: Int32 = 0
        rl_get_screen_size(&rows, &cols)
        let columns = cols > 0 ? Int(cols) : 80
        let bytes = currentLineBytes()
        let point = min(max(0, Int(myc_rl_point())), bytes.count)
        let cursor = ChatText.columns(prompt) + ChatText.columns(String(decoding: bytes[..<point], as: UTF8.self))
        let up = cursor / columns
        _ = writeAll(1, (up > 0 ? "\u{1B}[\(up)A" : "") + "\r\u{1B}[J")
    }

    private func currentLineBytes() -> [UInt8] {
        guard let buffer = myc_rl_line_buffer() else { return [] }
        let end = max(0, Int(myc_rl_end()))
        return Array(UnsafeRawBufferPointer(start: buffer, count: min(end, strlen(buffer))).bindMemory(to: UInt8.self))
    }

    private func currentLine() -> String { String(decoding: currentLineBytes(), as: UTF8.self) }

    // MARK: Completion

    /// `rl_attempted_completion_function`: `start` counts characters before the word.
    fileprivate func complete(_ text: UnsafePointer<CChar>?, start: Int) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        myc_rl_completion_over()
        let word = text.map { String(cString: $0) } ?? ""
        let line = currentLine()
        let before = String(String.UnicodeScalarView(line.unicodeScalars.prefix(start)))
        let candidates = completionData.withLock { $0 }.candidates(before: before, word: word)
        guard !candidates.isEmpty else { return nil }
        let head = candidates.count == 1 ? candidates[0] : ChatCompletion.commonPrefix(candidates)
        let all = [head] + (candidates.count == 1 ? [] : candidates)
        guard let matches = myc_alloc_matches(all.count) else { return nil }
        for (i, item) in all.enumerated() { item.withCString { myc_set_match(matches, i, $0) } }
        return matches
    }

    // MARK: Signals and locale

    private func installSignalHandlers() -> [Int32: sigaction] {
        var previous: [Int32: sigaction] = [:]
        for signo in [SIGINT, SIGWINCH] {
            var action = sigaction()
            #if canImport(Glibc)
            if signo == SIGINT {
                action.__sigaction_handler.sa_handler = { _ in ChatTerminal.signalByte(UInt8(ascii: "i")) }
            } else {
                action.__sigaction_handler.sa_handler = { _ in ChatTerminal.signalByte(UInt8(ascii: "w")) }
            }
            #else
            if signo == SIGINT {
                action.__sigaction_u.__sa_handler = { _ in ChatTerminal.signalByte(UInt8(ascii: "i")) }
            } else {
                action.__sigaction_u.__sa_handler = { _ in ChatTerminal.signalByte(UInt8(ascii: "w")) }
            }
            #endif
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(signo, &action, &old)
            previous[signo] = old
        }
        return previous
    }

    private func restoreSignalHandlers(_ previous: [Int32: sigaction]) {
        for (signo, var old) in previous { sigaction(signo, &old, nil) }
    }

    /// Async-signal-safe: one `write` to the self-pipe.
    static func signalByte(_ byte: UInt8) {
        var b = byte
        let saved = errno
        _ = write(signalPipe, &b, 1)
        errno = saved
    }

    /// libedit needs a UTF-8 `LC_CTYPE` to edit non-ASCII text.
    static func prepareLocale() {
        setlocale(LC_CTYPE, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        if codeset.uppercased() != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
    }
}

/// Writes all of `text` to `fd`, retrying on short writes and EINTR.
@discardableResult
func writeAll(_ fd: Int32, _ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        if n < 0, errno == EAGAIN {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, 100)
            continue
        }
        guard n > 0 else { return false }
        bytes = bytes.dropFirst(n)
    }
    return true
}
