import Foundation
import SwitchyardCore
import Testing

@Suite struct DecisionExplanationTests {
    static func decision(_ stage: Stage, by: String?, confidence: Double = 1, priority: Priority? = nil, reasons: [String] = [], annotated: [String] = []) -> Decision {
        Decision(
            department: "cards", priority: priority, confidence: confidence,
            provenance: Provenance(stage: stage, decidedBy: by, fallbackReasons: reasons, annotatedBy: annotated, rulesetVersion: "r1"),
            decidedAt: Date(timeIntervalSince1970: 0))
    }

    @Test("each stage explains itself in words for an internal note, with why earlier stages did not decide")
    func stages() {
        #expect(Self.decision(.rule, by: "lost-or-stolen-card", priority: .high).explanation
            == "Switchyard routed this ticket to cards: rule lost-or-stolen-card matched. Priority high.")
        #expect(Self.decision(.model, by: "openai/gpt-4o-mini", confidence: 0.874, annotated: ["vip"]).explanation
            == "Switchyard routed this ticket to cards: model openai/gpt-4o-mini, confidence 87 %. Tags and priority from rules vip.")
        #expect(Self.decision(.fallbackModel, by: "local/linear", confidence: 0.71, reasons: ["openai/gpt-4o-mini: timed out after 5s"]).explanation
            == "Switchyard routed this ticket to cards: the local model local/linear answered with confidence 71 % after the model "
            + "stage did not decide. Not decided earlier: openai/gpt-4o-mini: timed out after 5s.")
        #expect(Self.decision(.default, by: nil, confidence: 0).explanation
            == "Switchyard routed this ticket to cards, the default department: no rule or model decided.")
        var abstained = Self.decision(
            .abstained, by: "local/linear", confidence: 0.64, reasons: ["local/linear: fees_fx at confidence 0.64 is under its calibrated threshold 0.8"])
        abstained.department = "human_triage"
        #expect(abstained.explanation
            == "Switchyard sent this ticket to human_triage for a person to route: local/linear's answer, confidence 64 %, was "
            + "under the confidence calibrated for its department. Not decided earlier: local/linear: fees_fx at confidence 0.64 "
            + "is under its calibrated threshold 0.8.")
    }
}
