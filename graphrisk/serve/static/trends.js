// Prevention trends: per unit or team and month, the rate of unexplained look-ups (findings) per
// employee, by rule. Aggregates only: a cell of fewer than 5 employees comes back suppressed and is
// shown as "< 5". Open to team leaders (manager), who see nothing else.

import { get } from "./api.js";
import { errorText } from "./app.js";
import { clear, h, notice, num } from "./dom.js";

const PALETTE = ["#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#e67e22", "#34495e",
  "#7f8c8d", "#2e86c1", "#a93226", "#117864"];
const last = { group: "unit", rule: "", from: "", to: "" };

export async function render(main, _params, ctx) {
  const group = h("select", { id: "trends-group" }, ["unit", "team"].map((g) => h("option", { value: g, selected: g === last.group }, g)));
  const rule = h("select", { id: "trends-rule" }, h("option", { value: "" }, "all rules"));
  const from = h("input", { id: "trends-from", type: "month", value: last.from });
  const to = h("input", { id: "trends-to", type: "month", value: last.to });
  const form = h("form", { class: "toolbar", "aria-label": "Trend filters" },
    h("label", { for: "trends-group" }, "Group by", group), h("label", { for: "trends-rule" }, "Rule", rule),
    h("label", { for: "trends-from" }, "From month", from), h("label", { for: "trends-to" }, "To month", to),
    h("button", { type: "submit" }, "Show"));
  const body = h("div");
  main.append(h("h1", null, "Prevention trends"),
    h("p", { class: "muted" }, "Unexplained look-ups per employee per month, by rule. No individual is shown: a group with fewer than 5 employees in a month is suppressed (“< 5”)."),
    form, body);
  let chart = null;
  ctx.onLeave(() => chart && chart.destroy());

  const load = async () => {
    Object.assign(last, { group: group.value, rule: rule.value, from: from.value, to: to.value });
    clear(body).append(h("p", { class: "muted" }, "Loading…"));
    try {
      const answer = await get("/api/trends", { group: last.group, rule: last.rule, from: last.from, to: last.to });
      if (!ctx.alive()) return;
      if (rule.options.length === 1) {
        for (const r of answer.rules || []) rule.append(h("option", { value: r, selected: r === last.rule }, r));
      }
      if (chart) chart.destroy();
      chart = null;
      clear(body);
      draw(body, answer, (c) => { chart = c; });
    } catch (err) {
      if (ctx.alive()) clear(body).append(notice("error", errorText(err)));
    }
  };
  form.addEventListener("submit", (evt) => { evt.preventDefault(); load(); });
  group.addEventListener("change", load);
  rule.addEventListener("change", load);
  await load();
}

function draw(body, answer, keep) {
  const months = answer.months || [];
  const cells = answer.cells || [];
  if (!cells.length) {
    body.append(notice("info", "No look-ups in this period."));
    return;
  }
  const groups = [...new Set(cells.map((c) => c.group))].sort();
  const rules = [...new Set(cells.map((c) => c.rule))].sort();
  const at = new Map(cells.map((c) => [`${c.group}|${c.rule}|${c.month}`, c]));
  // the chart: one line per group, the rate summed over the rules shown (gaps where suppressed)
  const canvas = h("canvas", { id: "trends-chart", role: "img", "aria-label": "Rate per group and month; the table below has the numbers" });
  body.append(h("section", { class: "panel" }, h("div", { class: "chart" }, canvas)));
  if (window.Chart) {
    const series = groups.map((g, i) => ({
      label: g, borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], spanGaps: false, tension: 0.2,
      data: months.map((m) => {
        let total = 0;
        let any = false;
        for (const r of rules) {
          const c = at.get(`${g}|${r}|${m}`);
          if (!c) continue;
          if (c.suppressed || c.rate === null || c.rate === undefined) return null;
          total += c.rate;
          any = true;
        }
        return any ? total : null;
      }),
    }));
    keep(new window.Chart(canvas, {
      type: "line",
      data: { labels: months, datasets: series },
      options: {
        animation: false, maintainAspectRatio: false,
        plugins: { title: { display: true, text: `Unexplained look-ups per employee${rules.length === 1 ? ` (${rules[0]})` : " (all rules)"}; suppressed months left out` },
          legend: { display: groups.length <= 16 } },
        scales: { y: { beginAtZero: true } },
      },
    }));
  }
  body.append(h("section", { class: "panel" }, h("div", { class: "scroll" }, h("table", { class: "data trends", id: "trends-table" },
    h("thead", null, h("tr", null, h("th", { scope: "col" }, answer.group || last.group), h("th", { scope: "col" }, "rule"), months.map((m) => h("th", { scope: "col", class: "num" }, m)))),
    h("tbody", null, groups.flatMap((g) => rules.map((r) => h("tr", null, h("th", { scope: "row" }, g), h("td", { class: "mono" }, r),
      months.map((m) => {
        const c = at.get(`${g}|${r}|${m}`);
        if (!c) return h("td", { class: "num muted" }, "");
        if (c.suppressed) return h("td", { class: "num suppressed", title: "fewer than 5 employees: suppressed" }, "< 5");
        return h("td", { class: "num", title: `${c.employees} employees` }, num(c.rate, 2));
      })))))))));
}
