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

  // Gateway latencies are seconds; a member named …Ms is milliseconds.
  function seconds(obj, key) {
    if (obj == null || typeof obj !== 'object') return undefined;
    if (typeof obj[key] === 'number') return obj[key];
    if (typeof obj[key + 'Ms'] === 'number') return obj[key + 'Ms'] / 1000;
    if (typeof obj[key + '_ms'] === 'number') return obj[key + '_ms'] / 1000;
    return undefined;
  }
  const dur = (s) => (typeof s === 'number' && isFinite(s)) ? (s >= 1 ? s.toFixed(2) + ' s' : (s * 1000).toFixed(s < 0.01 ? 1 : 0) + ' ms') : dash;

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
    const lat = pick(s, ['latency', 'latencies']) || {};
    const has = (lat.count ?? 1) > 0;
    const rate = pick(s, ['requests_per_second', 'requestsPerSecond', 'requestRate', 'rps']);
    const total = pick(s, ['requests', 'totalRequests', 'total']);
    const failovers = pick(s, ['failovers', 'failoverCount']);
    const errors = pick(s, ['errors', 'failures']);
    const strategy = pick(s, ['strategy']) ?? pick(g.orchestrators, ['strategy']);
    const ttft = pick(s, ['ttft']);
    $('#gateway-cards').innerHTML =
      card('Gateway', `<span class="dot ${esc(g.state)}"></span>${esc(g.state || dash)}<br><small class="mono">${esc(g.url || '')}</small>`, 'card-gateway') +
      card('Strategy', `${esc(strategy ?? dash)}`, 'card-strategy') +
      card('Request rate', `${num(rate, 2)} <small>req/s (60 s)</small>`, 'card-rate') +
      card('Latency p50 / p95', `${has ? dur(seconds(lat, 'p50')) : dash} <small>/ ${has ? dur(seconds(lat, 'p95')) : dash}</small>`, 'card-p50') +
      card('Latency p99', has ? dur(seconds(lat, 'p99')) : dash, 'card-p99') +
      card('LLM TTFT p50', ttft && ttft.count > 0 ? dur(seconds(ttft, 'p50')) : dash, 'card-ttft') +
      card('Requests', `${num(total, 0)}${errors != null ? ` <small>${num(errors, 0)} failed</small>` : ''}`, 'card-requests') +
      card('Failovers', num(failovers, 0), 'card-failovers');

    const pipelines = pick(s, ['pipelines']);
    const rows = pipelines && typeof pipelines === 'object' ? Object.entries(pipelines) : [];
    $('#gateway-pipelines').innerHTML = rows.length === 0 ? '' :
      `<table class="grid compact"><thead><tr><th>Pipeline</th><th>Requests</th><th>Failed</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody>` +
      rows.map(([name, p]) => {
        const l = p.latency || {};
        const ok = (l.count ?? 0) > 0;
        return `<tr><td>${esc(name)}</td><td>${num(p.requests, 0)}</td><td>${num(p.errors, 0)}</td><td>${ok ? dur(seconds(l, 'p50')) : dash}</td><td>${ok ? dur(seconds(l, 'p95')) : dash}</td><td>${ok ? dur(seconds(l, 'p99')) : dash}</td></tr>`;
      }).join('') + '</tbody></table>';

    const share = pick(s, ['orchestrators']) || {};
    const list = n.orchestrators || [];
    $('#orchestrators').innerHTML = list.map((o) => renderOrchestrator(o, share)).join('') || '<p class="muted">No orchestrators in this topology.</p>';
    $('#tab-network').dataset.filled = list.length > 0 ? 'true' : 'false';
  }

  function statusModel(status, gpu) {
    const models = pick(status, ['models', 'capabilities']);
    if (!Array.isArray(models)) return undefined;
    return models.find((m) => (pick(m, ['pipeline']) === gpu.pipeline) && (pick(m, ['modelId', 'model_id', 'model']) === gpu.modelId));
  }

  function renderOrchestrator(o, share) {
    const st = o.status || {};
    const gw = o.gateway || {};
    const sessions = Array.isArray(gw.sessions) ? gw.sessions : [];
    const suspensions = Array.isArray(gw.suspended) ? gw.suspended : [];
    const jobs = pick(st, ['jobsServed', 'jobs_served']);
    const received = pick(st, ['ticketsReceived', 'tickets_received']);
    const redeemed = pick(st, ['ticketsRedeemed', 'tickets_redeemed']);
    const gatewayStake = sessions.map((x) => pick(x, ['stake'])).find((v) => typeof v === 'number' && v > 0);
    const stake = gatewayStake ?? o.stake;
    const address = pick(st, ['address']);
    const routed = o.url ? (share[o.url] ?? share[o.url + '/']) : undefined;
    const scores = sessions.map((x) => {
      const sc = pick(x, ['latency_score', 'latencyScore']);
      const short = (x.pipeline || '').replace('text-to-image', 't2i').replace('image-to-video', 'i2v');
      return `${esc(short)} ${typeof sc === 'number' ? sc.toPrecision(3) : dash}${x.pool === 'cold' ? ' (cold)' : ''}`;
    });
    const cooling = sessions.some((x) => (pick(x, ['cooldown_ms', 'cooldownMs']) || 0) > 0);
    const suspendedText = suspensions.length > 0
      ? `<span class="badge susp">suspended: ${esc(suspensions.map((x) => `${x.pipeline} (${x.refreshes_left ?? x.refreshesLeft ?? '?'} refreshes)`).join(', '))}</span>`
      : (cooling ? '<span class="badge susp">cooling down</span>' : (o.gateway || sessions.length ? 'not suspended' : 'suspension ' + dash));
    const rows = (o.gpus || []).map((gpu) => {
      const m = statusModel(st, gpu) || {};
      const sim = gpu.simulator || {};
      const cap = pick(m, ['capacity']) ?? gpu.capacity;
      const inUse = pick(m, ['inUse', 'in_use']) ?? sim.inService ?? 0;
      const warm = pick(m, ['warm']) ?? gpu.warm;
      const loaded = sim.loaded;
      const pct = cap ? Math.min(100, 100 * (Number(inUse) || 0) / cap) : 0;
      const fault = sim.fault ? (sim.fault.spec?.kind || sim.fault.kind || JSON.stringify(sim.fault)) + (sim.fault.spec?.factor ? ` ×${sim.fault.spec.factor}` : '') : (sim.down ? 'down' : '');
      const wei = pick(m.price, ['weiPerUnit', 'wei_per_unit']);
      const priceText = wei != null ? `${esc(wei)} wei/unit` : `${esc(gpu.pricePerUnit)} ${esc(gpu.currency)} / ${esc(gpu.pixelsPerUnit)}`;
      return `<tr data-gpu="${esc(gpu.id)}">
        <td class="mono nowrap">${esc(gpu.id)}</td>
        <td class="nowrap">${esc(gpu.profile)}</td>
        <td>${esc(gpu.pipeline)}</td>
        <td class="mono">${esc(gpu.modelId)}</td>
        <td><span class="badge ${warm ? 'warm' : 'cold'}">${warm ? 'warm' : 'cold'}</span>${loaded === false ? ' <span class="muted">not loaded</span>' : ''}</td>
        <td class="nowrap"><span class="bar"><i style="width:${pct}%"></i></span>${esc(inUse)}/${esc(cap)}</td>
        <td class="mono">${priceText}</td>
        <td>${esc(gpu.runnerKind)}</td>
        <td>${sim.queued ?? dash}</td>
        <td>${pick(m, ['jobsServed']) ?? sim.jobsServed ?? dash}</td>
        <td>${fault ? `<span class="badge fault">${esc(fault)}</span>` : '<span class="muted">none</span>'}</td>
      </tr>`;
    }).join('');
    return `<div class="orch" id="orch-${esc(o.name)}" data-orchestrator="${esc(o.name)}">
      <div class="orch-head">
        <span class="name"><span class="dot ${esc(o.state)}"></span>${esc(o.name)}</span>
        <span class="fact mono">${esc(o.url || '')}</span>
        <span class="fact">stake <b>${num(Number(stake ?? NaN), 0)}</b></span>
        <span class="fact">jobs served <b>${num(jobs, 0)}</b>${routed != null ? ` <span class="muted">(${num(routed, 0)} via gateway)</span>` : ''}</span>
        <span class="fact">tickets received / redeemed <b>${num(received, 0)}</b> / <b>${num(redeemed, 0)}</b></span>
        <span class="fact">latency score <b>${scores.length ? scores.join(' · ') : dash}</b></span>
        <span class="fact">${suspendedText}</span>
        ${address ? `<span class="fact mono" title="orchestrator address">${esc(address)}</span>` : ''}
        <span class="faults">
          <button class="btn warn" data-fault="hang" data-orch="${esc(o.name)}">Hang</button>
          <button class="btn warn" data-fault="slow" data-orch="${esc(o.name)}">Slow 10×</button>
          <button class="btn warn" data-fault="crash" data-orch="${esc(o.name)}">Crash</button>
          <button class="btn" data-fault="clear" data-orch="${esc(o.name)}">Clear</button>
        </span>
      </div>
      <table class="grid"><thead><tr><th>GPU</th><th>Profile</th><th>Pipeline</th><th>Model</th><th>Model state</th><th>Capacity in use</th><th>Price</th><th>Runner</th><th>Queued</th><th>Jobs</th><th>Fault</th></tr></thead>
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
