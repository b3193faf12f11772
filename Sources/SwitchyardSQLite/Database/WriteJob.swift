/// A caller's write, queued for the writer thread's next group commit.
struct WriteJob: Sendable {
    /// Runs the caller's work on the writer connection (inside a savepoint the group
    /// committer manages) and says whether it succeeded. In both cases it returns how to
    /// resume the caller once the transaction has ended: `finish(nil)` after COMMIT
    /// returned, `finish(error)` when the transaction as a whole failed. A failed job
    /// resumes with its own error whatever the transaction did.
    let run: @Sendable (Connection) -> (succeeded: Bool, finish: @Sendable ((any Error)?) -> Void)
    /// Resumes the caller with `error` without running its work (the transaction failed
    /// before its turn).
    let abandon: @Sendable (any Error) -> Void
}

/// A caller's read, run in its own read transaction on the reader thread.
struct ReadJob: Sendable {
    let run: @Sendable (Connection) -> Void
}
