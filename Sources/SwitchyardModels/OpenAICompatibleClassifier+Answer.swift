import Foundation
import NIOCore
import NIOFoundationCompat
import SwitchyardCore

extension OpenAICompatibleClassifier {
    /// Reads `choices[0].message.content` of a chat completion as a ``ClassificationAnswer``.
    func classification(from body: ByteBuffer, departments: DepartmentCatalog) throws(ClassificationFailure)
        -> Classification
    {
        let decoder = JSONDecoder()
        let completion: ChatCompletionResponse
        do {
            completion = try decoder.decode(ChatCompletionResponse.self, from: body)
        } catch let error as DecodingError {
            throw .invalidOutput("not a chat completion: \(error.explanation(root: "response"))")
        } catch {
            throw .invalidOutput("not a chat completion: \(error)")
        }
        guard let choice = completion.choices.first else {
            throw .invalidOutput("`response.choices` is empty")
        }
        if let refusal = choice.message.refusal {
            throw .invalidOutput("the model refused: \(refusal.prefix(200))")
        }
        guard let content = choice.message.content, !content.isEmpty else {
            throw .invalidOutput("`choices[0].message.content` is empty")
        }
        let answer: ClassificationAnswer
        do {
            answer = try decoder.decode(ClassificationAnswer.self, from: Data(content.utf8))
        } catch let error as DecodingError {
            let truncated = choice.finishReason == "length" ? " (the answer was cut off: finish_reason length)" : ""
            throw .invalidOutput(error.explanation(root: "content") + truncated)
        } catch {
            throw .invalidOutput("`content`: \(error)")
        }

        // Allow rounding noise at the ends; anything further out is not a probability.
        let tolerance = 1e-6
        guard answer.confidence >= -tolerance, answer.confidence <= 1 + tolerance else {
            throw .invalidOutput("`content.confidence` is \(answer.confidence), outside 0…1")
        }
        let department = DepartmentID(answer.department)
        guard departments.contains(department) else {
            throw .unknownDepartment(answer.department)
        }
        // Servers that take no schema (dialect json) may not keep its bounds: keep the first
        // few keywords, each cut to the schema's length, rather than refuse a good department.
        let tags = answer.tags.map { String($0.trimmingWhitespace().lowercased().prefix(ClassificationSchema.maximumTagLength)) }.filter { !$0.isEmpty }
            .removingDuplicates().prefix(ClassificationSchema.maximumTags)
        return Classification(
            department: department,
            confidence: min(max(answer.confidence, 0), 1),
            priority: answer.priority,
            tags: Array(tags),
            classifier: name,
            promptVersion: prompt.version,
            modelVersion: completion.model,
            usage: completion.usage
        )
    }
}
