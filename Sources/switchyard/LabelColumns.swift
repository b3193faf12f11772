import ArgumentParser

/// The columns of a labelled file (CSV column or JSON Lines key), as `eval` and `calibrate`
/// read them (``LabelledTickets``).
struct LabelColumns: ParsableArguments {
    @Option(help: "The column (JSONL key) holding the ticket text.")
    var textColumn: String = "text"

    @Option(help: "The column (JSONL key) holding the label.")
    var labelColumn: String = "department"

    func validate() throws {
        guard textColumn != labelColumn else { throw ValidationError("--text-column and --label-column must differ") }
    }
}
