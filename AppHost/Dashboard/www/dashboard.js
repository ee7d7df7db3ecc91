// LivepeerAspire dashboard: polls the AppHost's JSON APIs; no external resources.
(() => {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const dash = '—';
  let resources = [];
  let logSeq = 0;
  let logResource = '';

  async function getJson(url, options) {
    const res = await fetch(url, Object.assign({ cache: 'no-store' }, options));
    const text = await res.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = text; }
    if (!res.ok) throw Object.assign(new Error((body && (body.error || body.detail?.msg)) || res.statusText), { status: res.status, body });
    return body;
  }

  // The services' JSON shapes are owned by their teams; read them tolerantly.
  function pick(obj, keys) {
    if (obj == null || typeof obj !== 'object') return undefined;
    for (const k of keys) {
      if (obj[k] !== undefined && obj[k] !== null) return obj[k];
    }
    return undefined;
  }
  const num = (v, digits = 1) => (typeof v === 'number' && isFinite(v)) ? v.toLocaleString(undefined, { maximumFractionDigits: digits }) : (v == null ? dash : esc(v));
  const ms = (v) => (typeof v === 'number' && isFinite(v)) ? (v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(v < 10 ? 1 : 0) + ' ms') : dash;

  function toast(text) {
    const t = $('#toast');
    t.textContent = text;
    t.classList.add('show');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => t.classList.remove('show'), 2500);
  }

  function since(iso) {
    if (!iso) return dash;
    const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (s < 60) return Math.floor(s) + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    return Math.floor(s / 3600) + ' h ago';
  }

  // ---------- resources ----------
  function renderResources() {
    const body = $('#resources tbody');
    body.innerHTML = resources.map((r) => {
      const canStop = ['running', 'starting', 'unhealthy', 'waiting', 'restarting'].includes(r.state);
      const startable = r.kind !== 'external';
      return `<tr data-resource="${esc(r.name)}" data-state="${esc(r.state)}">
        <td><span class="dot ${esc(r.state)}"></span><span class="state">${esc(r.state)}</span>${r.detail ? `<span class="detail">${esc(r.detail)}</span>` : ''}</td>
        <td><b>${esc(r.name)}</b></td>
        <td><span class="kind">${esc(r.kind)}</span></td>
        <td>${r.url ? `<a class="mono" href="${esc(r.url)}/health" target="_blank" rel="noopener">${esc(r.url)}</a>` : dash}</td>
        <td class="mono">${r.pid ?? dash}</td>
        <td>${r.restarts}</td>
        <td>${since(r.startedAt)}</td>
        <td class="muted">${esc((r.waitsFor || []).join(', ')) || dash}</td>
        <td>
          <button class="btn" data-logs="${esc(r.name)}">Logs</button>
          ${startable ? `<button class="btn warn" data-act="stop" data-name="${esc(r.name)}" ${canStop ? '' : 'disabled'}>Stop</button>
          <button class="btn" data-act="start" data-name="${esc(r.name)}" ${canStop ? 'disabled' : ''}>Start</button>
          <button class="btn" data-act="restart" data-name="${esc(r.name)}">Restart</button>` : ''}
        </td></tr>`;
    }).join('');
    const counts = {};
    resources.forEach((r) => { counts[r.state] = (counts[r.state] || 0) + 1; });
    $('#resource-summary').innerHTML = `<b>${resources.length}</b> resources · ` +
      Object.entries(counts).map(([s, n]) => `<span class="dot ${esc(s)}"></span>${n} ${esc(s)}`).join(' &nbsp; ');
    const select = $('#log-resource');
    const names = resources.map((r) => r.name);
    if (select.options.length !== names.length) {
      select.innerHTML = names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join('');
      if (!logResource && names.length) logResource = names.includes('gateway') ? 'gateway' : names[0];
      select.value = logResource;
    }
  }

  async function pollResources() {
    try {
      resources = await getJson('/api/resources');
      renderResources();
      document.body.dataset.connected = 'true';
    } catch (e) {
      $('#meta').textContent = 'AppHost not reachable: ' + e.message;
      document.body.dataset.connected = 'false';
    }
  }

  // ---------- network ----------
  function card(label, value, id) {
    return `<div class="card" ${id ? `id="${id}"` : ''}><div class="label">${esc(label)}</div><div class="value">${value}</div></div>`;
  }

  function renderNetwork(n) {
    const meta = [];
    if (n.topology) meta.push(`topology <b>${esc(n.topology)}</b>`);
    if (n.timeScale != null) meta.push(`time scale ${esc(n.timeScale)}`);
    const running = resources.filter((r) => r.state === 'running').length;
    meta.push(`${running}/${resources.length} running`);
    meta.push('updated ' + new Date().toLocaleTimeString());
    $('#meta').innerHTML = meta.join(' · ');

    const g = n.gateway || {};
    const s = g.stats || {};
    const lat = pick(s, ['latency', 'latencyMs', 'latency_ms', 'latencies']) || s;
    const rate = pick(s, ['requestRate', 'requestsPerSecond', 'rps', 'rate']);
    const total = pick(s, ['requests', 'totalRequests', 'total', 'requestCount']);
    const failovers = pick(s, ['failovers', 'failoverCount', 'retries']);
    const errors = pick(s, ['errors', 'failures', 'failed']);
    $('#gateway-cards').innerHTML =
      card('Gateway', `<span class="dot ${esc(g.state)}"></span>${esc(g.state || dash)}<br><small class="mono">${esc(g.url || '')}</small>`, 'card-gateway') +
      card('Request rate', `${num(rate, 2)} <small>req/s</small>`, 'card-rate') +
      card('Latency p50', ms(pick(lat, ['p50', 'p50Ms', 'p50_ms', 'median'])), 'card-p50') +
      card('Latency p95', ms(pick(lat, ['p95', 'p95Ms', 'p95_ms'])), 'card-p95') +
      card('Latency p99', ms(pick(lat, ['p99', 'p99Ms', 'p99_ms'])), 'card-p99') +
      card('Requests', `${num(total, 0)}${errors != null ? ` <small>${num(errors, 0)} failed</small>` : ''}`, 'card-requests') +
      card('Failovers', num(failovers, 0), 'card-failovers');

    const list = n.orchestrators || [];
    $('#orchestrators').innerHTML = list.map(renderOrchestrator).join('') || '<p class="muted">No orchestrators in this topology.</p>';
    $('#tab-network').dataset.filled = list.length > 0 ? 'true' : 'false';
  }

  function statusModel(status, gpu) {
    const models = pick(status, ['models', 'capabilities']);
    if (!Array.isArray(models)) return undefined;
    return models.find((m) => (pick(m, ['pipeline']) === gpu.pipeline) && (pick(m, ['modelId', 'model_id', 'model']) === gpu.modelId));
  }

  function renderOrchestrator(o) {
    const st = o.status || {};
    const gw = o.gateway || {};
    const jobs = pick(st, ['jobsServed', 'jobs_served', 'jobs']);
    const received = pick(st, ['ticketsReceived', 'tickets_received']);
    const redeemed = pick(st, ['ticketsRedeemed', 'tickets_redeemed']);
    const score = pick(gw, ['latencyScore', 'latency_score', 'score', 'ewmaLatencyMs', 'latencyMs']);
    const suspended = pick(gw, ['suspended', 'isSuspended', 'suspendedUntil', 'suspension']);
    const stake = pick(gw, ['stake']) ?? o.stake;
    const address = pick(st, ['address', 'ethAddress', 'recipient']);
    const anyFault = (o.gpus || []).some((g) => g.simulator && g.simulator.fault);
    const rows = (o.gpus || []).map((gpu) => {
      const m = statusModel(st, gpu) || {};
      const sim = gpu.simulator || {};
      const cap = pick(m, ['capacity']) ?? gpu.capacity;
      const inUse = pick(m, ['inUse', 'in_use', 'busy']) ?? sim.busy;
      const warm = pick(m, ['warm']) ?? gpu.warm;
      const pct = cap ? Math.min(100, 100 * (Number(inUse) || 0) / cap) : 0;
      const fault = sim.fault ? (typeof sim.fault === 'object' ? (sim.fault.kind || JSON.stringify(sim.fault)) : sim.fault) : '';
      const price = pick(m, ['price', 'pricePerUnit', 'price_per_unit']);
      const priceText = price != null && typeof price === 'object'
        ? `${esc(pick(price, ['pricePerUnit', 'price_per_unit']) ?? '')} / ${esc(pick(price, ['pixelsPerUnit', 'pixels_per_unit']) ?? '')}`
        : `${esc(price ?? gpu.pricePerUnit)} / ${esc(gpu.pixelsPerUnit)} ${esc(gpu.currency)}`;
      return `<tr data-gpu="${esc(gpu.id)}">
        <td class="mono nowrap">${esc(gpu.id)}</td>
        <td>${esc(gpu.profile)}</td>
        <td>${esc(gpu.pipeline)}</td>
        <td class="mono">${esc(gpu.modelId)}</td>
        <td><span class="badge ${warm ? 'warm' : 'cold'}">${warm ? 'warm' : 'cold'}</span></td>
        <td><span class="bar"><i style="width:${pct}%"></i></span>${inUse ?? 0}/${cap}</td>
        <td class="mono">${priceText}</td>
        <td>${esc(gpu.runnerKind)}</td>
        <td>${sim.queued ?? dash}</td>
        <td>${sim.jobsServed ?? sim.jobs_served ?? dash}</td>
        <td>${fault ? `<span class="badge fault">${esc(fault)}</span>` : '<span class="muted">none</span>'}</td>
      </tr>`;
    }).join('');
    return `<div class="orch" id="orch-${esc(o.name)}" data-orchestrator="${esc(o.name)}">
      <div class="orch-head">
        <span class="name"><span class="dot ${esc(o.state)}"></span>${esc(o.name)}</span>
        <span class="fact mono">${esc(o.url || '')}</span>
        <span class="fact">stake <b>${num(Number(stake ?? NaN), 0)}</b></span>
        <span class="fact">jobs served <b>${num(jobs, 0)}</b></span>
        <span class="fact">tickets received/redeemed <b>${num(received, 0)}</b> / <b>${num(redeemed, 0)}</b></span>
        <span class="fact">latency score <b>${typeof score === 'number' ? num(score, 3) : esc(score ?? dash)}</b></span>
        <span class="fact">${suspended ? '<span class="badge susp">suspended</span>' : (o.gateway ? 'not suspended' : 'suspension ' + dash)}</span>
        ${address ? `<span class="fact mono">${esc(address)}</span>` : ''}
        <span class="faults">
          <button class="btn warn" data-fault="hang" data-orch="${esc(o.name)}">Hang</button>
          <button class="btn warn" data-fault="slow" data-orch="${esc(o.name)}">Slow 10×</button>
          <button class="btn warn" data-fault="crash" data-orch="${esc(o.name)}">Crash</button>
          <button class="btn" data-fault="clear" data-orch="${esc(o.name)}" ${anyFault ? '' : ''}>Clear</button>
        </span>
      </div>
      <table class="grid"><thead><tr><th>GPU</th><th>Profile</th><th>Pipeline</th><th>Model</th><th>Model state</th><th>Capacity in use</th><th>Price (per unit / pixels per unit)</th><th>Runner</th><th>Queued</th><th>Jobs</th><th>Fault</th></tr></thead>
      <tbody>${rows}</tbody></table>
    </div>`;
  }

  async function pollNetwork() {
    try {
      renderNetwork(await getJson('/api/network'));
    } catch (e) {
      $('#tab-network').dataset.filled = 'false';
    }
  }

  // ---------- logs ----------
  async function pollLogs() {
    if (!logResource) return;
    try {
      const res = await getJson(`/api/resources/${encodeURIComponent(logResource)}/logs?after=${logSeq}`);
      if (res.lines.length === 0) return;
      const view = $('#log-view');
      const html = res.lines.map((l) => {
        const t = new Date(l.time).toLocaleTimeString();
        const cls = l.text.startsWith('[apphost]') ? 'host' : (l.stream === 'stderr' ? 'err' : '');
        return `<span class="ts">${esc(t)}</span> <span class="${cls}">${esc(l.text)}</span>\n`;
      }).join('');
      view.insertAdjacentHTML('beforeend', html);
      logSeq = res.lines[res.lines.length - 1].seq;
      while (view.childNodes.length > 6000) view.removeChild(view.firstChild);
      if ($('#log-follow').checked) view.scrollTop = view.scrollHeight;
      $('#log-info').textContent = `${logResource}: last line #${logSeq}`;
    } catch (e) {
      $('#log-info').textContent = e.message;
    }
  }

  function showLogs(name) {
    logResource = name;
    logSeq = 0;
    $('#log-view').textContent = '';
    $('#log-resource').value = name;
    switchTab('logs');
    pollLogs();
  }

  // ---------- actions ----------
  function switchTab(name) {
    document.querySelectorAll('.tab').forEach((t) => t.classList.toggle('active', t.dataset.tab === name));
    document.querySelectorAll('.panel').forEach((p) => p.classList.toggle('active', p.id === 'tab-' + name));
    history.replaceState(null, '', '#' + name);
  }

  document.addEventListener('click', async (ev) => {
    const el = ev.target.closest('button');
    if (!el) return;
    if (el.dataset.tab) { switchTab(el.dataset.tab); return; }
    if (el.dataset.logs) { showLogs(el.dataset.logs); return; }
    try {
      if (el.dataset.act) {
        el.disabled = true;
        await getJson(`/api/resources/${encodeURIComponent(el.dataset.name)}/${el.dataset.act}`, { method: 'POST' });
        toast(`${el.dataset.act}: ${el.dataset.name}`);
        pollResources();
      } else if (el.dataset.fault) {
        const orch = encodeURIComponent(el.dataset.orch);
        const kind = el.dataset.fault;
        if (kind === 'clear') {
          await getJson(`/api/orchestrators/${orch}/faults`, { method: 'DELETE' });
        } else {
          const body = kind === 'slow' ? { kind: 'slow', factor: 10 } : { kind };
          await getJson(`/api/orchestrators/${orch}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        }
        toast(`${kind === 'clear' ? 'cleared faults on' : kind + ' →'} ${el.dataset.orch}`);
        pollNetwork();
      }
    } catch (e) {
      toast(`failed: ${e.message}`);
    } finally {
      if (el.dataset.act) setTimeout(() => { el.disabled = false; }, 800);
    }
  });

  $('#log-resource').addEventListener('change', (e) => showLogs(e.target.value));
  $('#log-clear').addEventListener('click', () => { $('#log-view').textContent = ''; });

  const initial = location.hash.replace('#', '');
  if (['resources', 'network', 'logs'].includes(initial)) switchTab(initial);
  pollResources().then(pollNetwork);
  setInterval(pollResources, 1000);
  setInterval(pollNetwork, 2000);
  setInterval(pollLogs, 1000);
})();
