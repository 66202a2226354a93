// Agent console: transfer the open conversation to another team or colleague, with a note.
// Every text from people is inserted with textContent (el's `text`), never innerHTML.

import { api } from "./api.js";
import { el } from "./dom.js";
import { reloadHeader } from "./conversation.js";
import { refreshQueue } from "./queue.js";
import { notice, state, ui } from "./state.js";

const directory = { teams: [], agents: [] };
const teamName = (code) => (directory.teams.find((t) => t.code === code) || {}).name || code;

// How a transfer reads in the history (the next agent's first clue) and in the queue.
export function transferText(line) {
  const to = line.to_agent || line.team_name || teamName(line.team) || "another team";
  const note = line.note ? `: ${line.note}` : "";
  return `Transferred by ${line.agent || "an agent"} to ${to}${note}`;
}

export function transferNote(transfer) {
  const to = transfer.to_agent || teamName(transfer.to_team) || "";
  return el("p", { class: "transfer-note", "data-transfer": "yes" },
    el("strong", { text: `Transferred by ${transfer.by || "an agent"}${to ? ` to ${to}` : ""}: ` }),
    el("span", { class: "note", text: transfer.note || "" }));
}

async function loadDirectory() {
  try {
    const data = await api("GET", "/teams");
    directory.teams = data.teams;
    directory.agents = data.agents;
  } catch (err) { notice(err.message, "error"); }
}

function fillTeams(select) {
  select.replaceChildren(el("option", { value: "", text: "Choose a team…" }),
    ...directory.teams.map((t) => el("option", { value: t.code, text: t.name })));
}

function fillAgents(select, team) {
  const chosen = select.value;
  const me = state.me ? state.me.id : null;
  const agents = directory.agents.filter((a) => a.id !== me && (!team || a.teams.includes(team)));
  select.replaceChildren(el("option", { value: "", text: team ? "Anyone in the team" : "Choose an agent…" }),
    ...agents.map((a) => el("option", {
      value: String(a.id), disabled: a.held >= a.capacity,
      text: `${a.name} (${a.held}/${a.capacity}${a.held >= a.capacity ? ", at capacity" : ""})`,
    })));
  if (agents.some((a) => String(a.id) === chosen)) select.value = chosen;
}

export function bindTransfer() {
  const team = el("select", { id: "transfer-team", name: "team" });
  const agent = el("select", { id: "transfer-agent", name: "agent" });
  const note = el("input", { id: "transfer-note", name: "note", maxlength: 1000, required: true,
    placeholder: "What the next agent should know" });
  const form = el("form", { id: "transfer-form", class: "transfer-form", "aria-label": "Transfer" },
    el("label", {}, "Transfer to ", team),
    el("label", {}, "Agent ", agent),
    el("label", {}, "Transfer note ", note),
    el("button", { type: "submit", id: "transfer", text: "Transfer" }));
  ui.wrapUp.append(form);
  loadDirectory().then(() => { fillTeams(team); fillAgents(agent, ""); });
  form.addEventListener("focusin", async (event) => {
    if (event.target !== agent) return;
    await loadDirectory();  // who is free changes all the time
    fillAgents(agent, team.value);
  });
  team.addEventListener("change", () => fillAgents(agent, team.value));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { team: team.value || null, agent_id: agent.value ? Number(agent.value) : null,
      note: note.value.trim() };
    if (!body.team && !body.agent_id) { notice("Choose a team or an agent to transfer to.", "error"); return; }
    if (!body.note) { notice("Write a note for the next agent.", "error"); return; }
    try {
      const result = await api("POST", `/conversations/${encodeURIComponent(state.current)}/transfer`, body);
      const to = result.agent || teamName(result.team);
      notice(result.customer_told ? `Transferred to ${to}.` : `Transferred to ${to} (the customer could not be told).`);
      note.value = "";
      team.value = "";
      fillAgents(agent, "");
      await refreshQueue();
      await reloadHeader();
    } catch (err) { notice(err.message, err.status === 409 ? "lost" : "error"); }
  });
}
