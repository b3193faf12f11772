extension Decision {
    /// The decision in a sentence or three for an agent, as an internal note says it: where
    /// the ticket went, which stage and rule or model decided, how sure it was, and why earlier
    /// stages did not decide. Never contains ticket text.
    ///
    /// `Switchyard routed this ticket to cards: rule lost-or-stolen-card matched. Priority high.`
    public var explanation: String {
        var sentences: [String] = []
        let who = provenance.decidedBy
        let confidence = (confidence * 100).rounded()
        switch provenance.stage {
        case .rule:
            sentences.append("Switchyard routed this ticket to \(department): rule \(who ?? "?") matched.")
        case .model:
            sentences.append("Switchyard routed this ticket to \(department): model \(who ?? "?"), confidence \(Int(confidence)) %.")
        case .fallbackModel:
            sentences.append(
                "Switchyard routed this ticket to \(department): the local model \(who ?? "") answered with confidence "
                    + "\(Int(confidence)) % after the model stage did not decide.")
        case .fallbackRule:
            sentences.append(
                "Switchyard routed this ticket to \(department): fallback rule \(who ?? "?") matched after the model stage did not decide.")
        case .default:
            sentences.append("Switchyard routed this ticket to \(department), the default department: no rule or model decided.")
        case .abstained:
            sentences.append(
                "Switchyard sent this ticket to \(department) for a person to route: \(who ?? "the model")'s answer, confidence "
                    + "\(Int(confidence)) %, was under the confidence calibrated for its department.")
        }
        if let priority { sentences.append("Priority \(priority.rawValue).") }
        if !provenance.annotatedBy.isEmpty {
            sentences.append("Tags and priority from rules \(provenance.annotatedBy.joined(separator: ", ")).")
        }
        if !provenance.fallbackReasons.isEmpty {
            sentences.append("Not decided earlier: \(provenance.fallbackReasons.joined(separator: "; ")).")
        }
        return sentences.joined(separator: " ")
    }
}
