import Foundation
import SwitchyardModels
import SwitchyardTestSupport
import Testing

@Suite("Prompt files: reload, last good kept")
struct PromptBookTests {
    @Test("a changed file is swapped in; a broken, empty or missing one is refused naming the file, the template in force stays")
    func reloads() async throws {
        try await withTemporaryDirectory { directory in
            let file = try directory.write("First {{department_ids}}\n{{! user }}\n{{ticket.json}}", to: "route.mustache")
            let book = PromptBook(try PromptBook.load(file.path), path: file.path)
            let first = book.current.version
            #expect(book.lastReload.trigger == "start")
            #expect(book.reload(trigger: "SIGHUP").outcome == .unchanged)

            try directory.write("Second {{department_ids}}\n{{! user }}\n{{ticket.json}}", to: "route.mustache")
            let applied = book.reload(trigger: "file change")
            #expect(applied.outcome == .applied(previousVersion: first))
            #expect(applied.version == book.current.version && book.current.source.hasPrefix("Second"))
            let second = book.current.version

            for broken in ["{{#departments}} never closed", "  \n"] {
                try directory.write(broken, to: "route.mustache")
                let refused = book.reload(trigger: "file change")
                guard case .refused(let problem) = refused.outcome else {
                    Issue.record("\(broken) was taken: \(refused)")
                    continue
                }
                #expect(problem.hasPrefix(file.path + ":"), "\(problem)")
                #expect(refused.version == second && book.current.version == second)
                #expect(book.lastReload == refused)
            }
            #expect(book.lastReload.outcome == .refused("\(file.path): the file is empty; a prompt template needs the instructions and the ticket"))

            try FileManager.default.removeItem(at: file)
            guard case .refused(let missing) = book.reload(trigger: "SIGHUP").outcome else {
                Issue.record("a missing file was taken")
                return
            }
            #expect(missing.contains("cannot be read"))
            #expect(book.current.version == second)
        }
    }

    @Test("a book without a file keeps its template")
    func builtIn() throws {
        let book = PromptBook(try PromptTemplate(PromptTemplate.default))
        #expect(book.path == nil)
        #expect(book.reload(trigger: "SIGHUP").outcome == .unchanged)
    }
}
