import ServiceLifecycle
import SwitchyardModels

/// Runs the batch queues of the providers with `batch`: gathers low-priority tickets' requests
/// into batches, sends and follows them. On graceful shutdown (after the triage workers have
/// given back the tickets that waited) the batches still in progress are cancelled at the
/// provider, so nothing is paid for answers no one will read.
struct BatchService: Service, CustomStringConvertible {
    let queues: [BatchQueue]

    var description: String { "BatchService" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for queue in queues { group.addTask { await queue.run() } }
            }
        }
    }
}
