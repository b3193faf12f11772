import Foundation
import SwitchyardCore
import SwitchyardTriage

extension EvalReport {
    /// One self-contained page (no scripts, fonts or images from elsewhere): the summary, the
    /// reliability diagram and the precision/coverage curve as inline SVG, F1 bars by
    /// department, the confusion matrix as a heat map, stages, latency and cost.
    func html() -> String {
        let evaluation = evaluation
        let e = HTML.escaped
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Switchyard evaluation: \(e(test))</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1d2330; }
            h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
            .cards { display: flex; gap: 1rem; flex-wrap: wrap; }
            .card { border: 1px solid #d5d9e0; border-radius: 8px; padding: .6rem 1rem; min-width: 9rem; }
            .card b { display: block; font-size: 1.5rem; }
            table { border-collapse: collapse; } td, th { padding: .2rem .6rem; text-align: right; }
            td:first-child, th:first-child { text-align: left; } tr:nth-child(even) td { background: #f5f6f8; }
            .bar { display: inline-block; height: .7rem; background: #3b6fd4; vertical-align: middle; }
            .heat td { text-align: center; min-width: 1.6rem; font-size: 12px; }
            .charts { display: flex; gap: 2rem; flex-wrap: wrap; }
            svg text { font-size: 11px; fill: #1d2330; }
            </style></head><body>
            <h1>Switchyard evaluation</h1>
            <p>\(mode == "pipeline" ? "The configuration's whole pipeline" : "The local model alone"), trained on \
            \(trainingTickets) tickets from <code>\(e(train))</code> in \(Self.fixed(trainingSeconds, 2)) s, scored on \
            \(evaluation.cases.count) tickets from <code>\(e(test))</code> (\(Int(ticketsPerSecond.rounded())) tickets/s).</p>
            <div class="cards">
            <div class="card">accuracy<b>\(Self.percent(evaluation.accuracy))</b></div>
            <div class="card">macro-F1<b>\(Self.percent(evaluation.macroF1))</b></div>
            <div class="card">calibration error<b>\(Self.percent(evaluation.calibrationError()))</b></div>
            <div class="card">latency p99<b>\(Self.fixed(evaluation.latencyPercentile(99), 2)) ms</b></div>
            <div class="card">cost<b>$\(Self.fixed(evaluation.costUSD, 4))</b></div>
            </div>
            <div class="charts">
            <div><h2>Reliability</h2>\(reliabilityChart())</div>
            <div><h2>Precision against coverage</h2>\(coverageChart())</div>
            </div>
            <h2>By department</h2>
            <table><tr><th>department</th><th>support</th><th>decided</th><th>precision</th><th>recall</th><th>F1</th><th></th></tr>

            """
        for row in evaluation.departmentFigures {
            page += "<tr><td>\(e(row.department.rawValue))</td><td>\(row.support)</td><td>\(row.decided)</td>"
                + "<td>\(Self.percent(row.precision))</td><td>\(Self.percent(row.recall))</td><td>\(Self.percent(row.f1))</td>"
                + "<td><span class=\"bar\" style=\"width: \(Int((row.f1 * 160).rounded()))px\"></span></td></tr>\n"
        }
        page += "</table>\n<h2>Confusion (rows: label, columns: decided)</h2>\n" + confusionTable()
        page += "<h2>By stage</h2>\n<table><tr><th>stage</th><th>tickets</th><th>coverage</th><th>accuracy</th></tr>\n"
        for stage in evaluation.stages {
            page += "<tr><td>\(e(stage.stage))</td><td>\(stage.tickets)</td><td>\(Self.percent(stage.coverage))</td>"
                + "<td>\(Self.percent(stage.accuracy))</td></tr>\n"
        }
        page += """
            </table>
            <h2>Latency and cost</h2>
            <p>p50 \(Self.fixed(evaluation.latencyPercentile(50), 3)) ms, p90 \(Self.fixed(evaluation.latencyPercentile(90), 3)) ms, \
            p99 \(Self.fixed(evaluation.latencyPercentile(99), 3)) ms, max \(Self.fixed(evaluation.latencyPercentile(100), 3)) ms; \
            cost $\(Self.fixed(evaluation.costUSD, 6)).</p>
            </body></html>

            """
        return page
    }

    /// Accuracy against mean confidence per band, with the diagonal a calibrated model follows.
    private func reliabilityChart() -> String {
        let size = 260.0, margin = 30.0
        func x(_ value: Double) -> Double { margin + value * size }
        func y(_ value: Double) -> Double { margin + (1 - value) * size }
        var svg = """
            <svg role="img" aria-label="reliability diagram" width="\(Int(size + 2 * margin))" height="\(Int(size + 2 * margin))" \
            viewBox="0 0 \(Int(size + 2 * margin)) \(Int(size + 2 * margin))" xmlns="http://www.w3.org/2000/svg">
            <rect x="\(margin)" y="\(margin)" width="\(size)" height="\(size)" fill="none" stroke="#b8bec9"/>
            <line x1="\(x(0))" y1="\(y(0))" x2="\(x(1))" y2="\(y(1))" stroke="#9aa1ad" stroke-dasharray="4 3"/>

            """
        for bin in evaluation.reliability() {
            let width = (bin.upper - bin.lower) * size
            svg += "<rect class=\"bin\" x=\"\(Self.fixed(x(bin.lower) + 1, 1))\" y=\"\(Self.fixed(y(bin.accuracy), 1))\" "
                + "width=\"\(Self.fixed(width - 2, 1))\" height=\"\(Self.fixed(bin.accuracy * size, 1))\" fill=\"#3b6fd4\" opacity=\".75\">"
                + "<title>\(Self.fixed(bin.lower, 1))–\(Self.fixed(bin.upper, 1)): \(bin.tickets) tickets, accuracy "
                + "\(Self.percent(bin.accuracy))</title></rect>\n"
        }
        svg += "<text x=\"\(x(0.5))\" y=\"\(size + 2 * margin - 6)\" text-anchor=\"middle\">confidence</text>\n"
        svg += "<text x=\"10\" y=\"\(y(0.5))\" transform=\"rotate(-90 10 \(y(0.5)))\" text-anchor=\"middle\">accuracy</text>\n"
        return svg + "</svg>"
    }

    /// Precision (y) against coverage (x), one point per threshold.
    private func coverageChart() -> String {
        let size = 260.0, margin = 30.0
        let points = evaluation.precisionCoverage().compactMap { point in point.precision.map { (point.threshold, point.coverage, $0) } }
        // Precision is shown from the lowest point's tenth down, so the curve is not flat at the top.
        let floor = ((points.map(\.2).min() ?? 0) * 10).rounded(.down) / 10
        func x(_ value: Double) -> Double { margin + value * size }
        func y(_ value: Double) -> Double { margin + (1 - (value - floor) / max(1 - floor, 0.01)) * size }
        var svg = """
            <svg role="img" aria-label="precision against coverage" width="\(Int(size + 2 * margin))" height="\(Int(size + 2 * margin))" \
            viewBox="0 0 \(Int(size + 2 * margin)) \(Int(size + 2 * margin))" xmlns="http://www.w3.org/2000/svg">
            <rect x="\(margin)" y="\(margin)" width="\(size)" height="\(size)" fill="none" stroke="#b8bec9"/>
            <polyline fill="none" stroke="#3b6fd4" stroke-width="2" points="\(points.map { "\(Self.fixed(x($0.1), 1)),\(Self.fixed(y($0.2), 1))" }.joined(separator: " "))"/>

            """
        for (threshold, coverage, precision) in points {
            svg += "<circle class=\"point\" cx=\"\(Self.fixed(x(coverage), 1))\" cy=\"\(Self.fixed(y(precision), 1))\" r=\"3\" fill=\"#3b6fd4\">"
                + "<title>threshold \(Self.fixed(threshold, 2)): coverage \(Self.percent(coverage)), precision \(Self.percent(precision))</title></circle>\n"
        }
        svg += "<text x=\"\(x(0.5))\" y=\"\(size + 2 * margin - 6)\" text-anchor=\"middle\">coverage</text>\n"
        svg += "<text x=\"10\" y=\"\(y((1 + floor) / 2))\" transform=\"rotate(-90 10 \(y((1 + floor) / 2)))\" text-anchor=\"middle\">"
            + "precision (from \(Self.percent(floor)))</text>\n"
        return svg + "</svg>"
    }

    /// Each cell shaded by its share of its row.
    private func confusionTable() -> String {
        let departments = evaluation.departments
        var table = "<table class=\"heat\"><tr><th></th>"
        for (column, _) in departments.enumerated() { table += "<th>\(column + 1)</th>" }
        table += "<th title=\"undecided\">–</th></tr>\n"
        for (row, counts) in evaluation.confusion.enumerated() {
            let total = max(counts.reduce(0, +), 1)
            table += "<tr><td>\(row + 1) \(HTML.escaped(departments[row].rawValue))</td>"
            for (column, count) in counts.enumerated() {
                let share = Double(count) / Double(total)
                let colour = column == row ? "59,111,212" : "212,80,59"
                table += "<td style=\"background: rgba(\(colour),\(Self.fixed(share, 2)))\">\(count == 0 ? "" : "\(count)")</td>"
            }
            table += "</tr>\n"
        }
        return table + "</table>\n"
    }
}
