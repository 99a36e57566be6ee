/**
 * The page: one player of the treasure hunt. Arrow keys (or WASD) move; every step and every
 * chest is an event sent through the Veltrix SDK, which the page loads as the built browser bundle
 * (`index.html` maps `@veltrix/client` to it). The panel shows what the SDK is doing; the
 * leaderboard comes from the server, which reads it from Kafka with the consumer library.
 *
 * @module
 */
import { VeltrixClient, WebStorageOutboxStore } from "@veltrix/client";
import { chestsLeft, COLS, newPlayer, ROWS, step } from "./world.js";

const CELL = 40;
const STATE_KEY = "treasure-hunt.player";

/** @param {string} testId */
const byTestId = (testId) => /** @type {HTMLElement} */ (document.querySelector(`[data-testid="${testId}"]`));

// Who plays: `?player=NAME`, or a new name kept in the URL so that a reload keeps it.
const params = new URLSearchParams(location.search);
const name = params.get("player") ?? `player-${Math.random().toString(36).slice(2, 7)}`;
if (!params.has("player")) history.replaceState(null, "", `?player=${encodeURIComponent(name)}`);
byTestId("player").textContent = name;

/** @type {import("./world.js").PlayerState} */
let player = JSON.parse(sessionStorage.getItem(STATE_KEY) ?? "null") ?? newPlayer();

// The SDK: tokens from the dev token endpoint, the outbox in sessionStorage so that unacked events
// survive a reload of this tab.
const { edgeUrl } = await (await fetch("/config")).json();
const client = new VeltrixClient({
  url: edgeUrl,
  token: async () => {
    const response = await fetch(`/token?player=${encodeURIComponent(name)}`);
    if (!response.ok) throw new Error(`token endpoint: ${response.status}`);
    return await response.text();
  },
  store: new WebStorageOutboxStore(sessionStorage, "treasure-hunt.outbox"),
  reconnect: { initialDelayMs: 100, maxDelayMs: 2000 },
});

/** Ack latencies of the last 50 events, in ms. */
const latencies = /** @type {number[]} */ ([]);
let recovered = 0;
client.on("recovered", (entries) => recovered += entries.length);
client.on("state", () => showPanel());
client.on("ack", () => showPanel());
client.on("reject", (id, error) => console.warn(`event ${id} rejected: ${error.code}`));

/**
 * Sends one game event and records its ack latency.
 * @param {import("./world.js").GameEvent} event
 */
function send(event) {
  const sentAt = performance.now();
  client.send(event.type, event.data).then(
    () => {
      latencies.push(performance.now() - sentAt);
      if (latencies.length > 50) latencies.shift();
    },
    (error) => console.warn(`event not acked: ${error.code ?? error}`),
  ).finally(showPanel);
}

/** @type {Record<string, [number, number]>} */
const KEYS = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
  a: [-1, 0],
  d: [1, 0],
  w: [0, -1],
  s: [0, 1],
};

document.addEventListener("keydown", (keyEvent) => {
  const move = KEYS[keyEvent.key];
  if (!move) return;
  keyEvent.preventDefault();
  const next = step(player, move[0], move[1]);
  player = next.player;
  // The state first, then the events: after a reload the outbox holds every event the state counts.
  sessionStorage.setItem(STATE_KEY, JSON.stringify(player));
  for (const event of next.events) send(event);
  draw();
  showPanel();
});

const canvas = /** @type {HTMLCanvasElement} */ (byTestId("board"));
canvas.width = COLS * CELL;
canvas.height = ROWS * CELL;
const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));

/** Draws the grid, the chests left and the player; mirrors them into `data-` attributes. */
function draw() {
  ctx.fillStyle = "#173a2a";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#21503a";
  for (let x = 0; x <= COLS; x++) ctx.strokeRect(x * CELL, 0, 0, canvas.height);
  for (let y = 0; y <= ROWS; y++) ctx.strokeRect(0, y * CELL, canvas.width, 0);
  const chests = chestsLeft(player);
  for (const chest of chests) {
    ctx.fillStyle = "#8a5a2b";
    ctx.fillRect(chest.x * CELL + 8, chest.y * CELL + 12, CELL - 16, CELL - 20);
    ctx.fillStyle = "#ffd166";
    ctx.fillRect(chest.x * CELL + 8, chest.y * CELL + 18, CELL - 16, 4);
  }
  ctx.fillStyle = "#4cc9f0";
  ctx.beginPath();
  ctx.arc(player.x * CELL + CELL / 2, player.y * CELL + CELL / 2, CELL / 2 - 6, 0, 2 * Math.PI);
  ctx.fill();
  canvas.dataset.x = String(player.x);
  canvas.dataset.y = String(player.y);
  canvas.dataset.chests = JSON.stringify(chests.map(({ x, y }) => ({ x, y })));
}

/**
 * Puts `value` in the panel cell `testId`, as text and as `data-value`.
 * @param {string} testId
 * @param {string | number} value
 * @param {string} [text]
 */
function setCell(testId, value, text = String(value)) {
  const cell = byTestId(testId);
  cell.textContent = text;
  cell.dataset.value = String(value);
}

function showPanel() {
  const { sent, acked, resent, reconnects } = client.stats;
  setCell("state", client.state);
  setCell("outbox", client.outboxDepth);
  const last = latencies.at(-1);
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  setCell("latency", last === undefined ? "" : last, last === undefined ? "–" : `${last.toFixed(0)} ms`);
  setCell("latency-median", median ?? "", median === undefined ? "–" : `${median.toFixed(0)} ms`);
  setCell("sent", sent);
  setCell("acked", acked);
  setCell("resent", resent);
  setCell("reconnects", reconnects);
  setCell("recovered", recovered);
  setCell("seq", player.seq);
  setCell("gold", player.gold);
}

/** Fetches the leaderboard the server keeps from Kafka (the top ten and this player), and shows it. */
async function refreshLeaderboard() {
  try {
    const board = await (await fetch(`/scores?player=${encodeURIComponent(name)}`)).json();
    /** @type {{ rank: number, player: string, gold: number, chests: number }[]} */
    const rows = board.rows;
    // The top ten, and this player's own row below them when it is not among them.
    if (board.you && !rows.some((row) => row.player === name)) rows.push(board.you);
    byTestId("leaderboard").replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.player = row.player;
      tr.dataset.gold = String(row.gold);
      if (row.player === name) tr.className = "me";
      for (const text of [row.rank, row.player, row.gold, row.chests]) {
        const td = document.createElement("td");
        td.textContent = String(text);
        tr.append(td);
      }
      return tr;
    }));
  } catch (error) {
    console.warn(`leaderboard: ${error}`);
  }
}

draw();
showPanel();
refreshLeaderboard();
setInterval(refreshLeaderboard, 1000);
setInterval(showPanel, 500);
