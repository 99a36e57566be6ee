/** The leaderboard page: a table that fetches `/scores` every second. */
export const LEADERBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Treasure hunt leaderboard</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; background: #101820; color: #f2f2f2; margin: 2rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
  p.meta { color: #9fb3c8; margin: 0 0 1.2rem; font-size: .9rem; }
  table { border-collapse: collapse; min-width: 32rem; }
  th, td { padding: .45rem .9rem; text-align: left; border-bottom: 1px solid #2a3a4a; }
  th { color: #9fb3c8; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr:first-child td { color: #ffd166; font-weight: 700; }
</style>
</head>
<body>
<h1>Treasure hunt leaderboard</h1>
<p class="meta" data-testid="meta">waiting for events…</p>
<table>
  <thead><tr><th>#</th><th>Player</th><th class="num">Gold</th><th class="num">Chests</th></tr></thead>
  <tbody data-testid="rows"></tbody>
</table>
<script>
  const rows = document.querySelector('[data-testid="rows"]');
  const meta = document.querySelector('[data-testid="meta"]');
  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }
  async function refresh() {
    try {
      const board = await (await fetch("/scores")).json();
      rows.replaceChildren(...board.rows.map((row) => {
        const tr = document.createElement("tr");
        tr.dataset.player = row.player;
        tr.append(cell(row.rank), cell(row.player), cell(row.gold, "num"), cell(row.chests, "num"));
        return tr;
      }));
      meta.textContent = board.handled + " events handled, " + board.duplicates + " duplicates skipped, " +
        board.poisoned + " set aside · " + board.topic;
      meta.dataset.handled = board.handled;
      meta.dataset.duplicates = board.duplicates;
    } catch (error) {
      meta.textContent = "cannot reach the service: " + error;
    }
  }
  refresh();
  setInterval(refresh, 1000);
</script>
</body>
</html>
`;
