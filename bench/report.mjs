// Medians, the issue's targets (PASS / FALL SHORT) and the plain-text tables printed to stdout.
import { median } from './load.mjs';

const MB = 1024 * 1024;
export const RSS_LIMIT_BYTES = 250 * MB;

const int = (value) => (value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US'));
const ms = (value) => (value === null || value === undefined ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const mb = (value) => (value === null || value === undefined ? '—' : `${(value / MB).toFixed(0)} MB`);
const rate = (value) => (value === null || value === undefined ? '—' : value.toFixed(1));
const ratio = (value) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(2));

function table(headers, rows) {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => String(row[column]).length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => String(cell).padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Per scenario: the medians over rounds of rps, p50 and p99, and the highest RSS seen. */
export function summarise(scenarios, rounds) {
  const summary = {};
  for (const scenario of scenarios) {
    const runs = rounds.map((round) => round[scenario.id]).filter(Boolean);
    const rssMax = Math.max(...runs.map((run) => run.rss?.max ?? 0));
    summary[scenario.id] = {
      title: scenario.title,
      server: scenario.server,
      connections: scenario.connections,
      rounds: runs.length,
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      rssMax: rssMax > 0 ? rssMax : null,
      perRound: runs.map((run) => ({ rps: run.rps, p50: run.p50, p99: run.p99 })),
      floodRps: scenario.flood ? median(runs.map((run) => run.flood?.rps)) : undefined,
      // median shares of the whole machine's CPU (all cores = 1)
      cpu: Object.fromEntries(
        ['servers', 'postgres', 'bench', 'others'].map((key) => [key, median(runs.map((run) => run.cpu?.[key]))]),
      ),
    };
  }
  return summary;
}

function target(id, description, measured, value, goal, pass, note = null) {
  return {
    id,
    description,
    measured,
    ratio: value,
    goal,
    result: pass === null ? 'N/A' : pass ? 'PASS' : 'FALL SHORT',
    note,
  };
}

/** The issue's targets, each with its measured figures, ratio and verdict. */
export function evaluateTargets({ kind, summary, bcryptBound, plans, sizes, previous = null }) {
  // A scenario left out (--only) reads as all-null, and its targets as N/A.
  const missing = { rps: null, p50: null, p99: null, rssMax: null };
  const s = new Proxy(summary, { get: (entries, id) => entries[id] ?? missing });
  const targets = [];
  const r = (a, b) => (a === null || b === null || !b ? null : a / b);

  const meVsHello = r(s.me.rps, s.hello.rps);
  targets.push(
    target(
      'me_vs_baseline',
      'me (session cache on, the default) rps ≥ 0.6 × bare Apollo { hello } rps',
      `${int(s.me.rps)} vs ${int(s.hello.rps)} rps`,
      meVsHello,
      '≥ 0.60',
      meVsHello === null ? null : meVsHello >= 0.6,
    ),
  );
  const uncachedVsHello = r(s.me_nocache.rps, s.hello.rps);
  targets.push(
    target(
      'me_nocache_vs_baseline',
      'for reference: me with the session cache off (SESSION_CACHE_SECONDS=0) vs bare Apollo { hello }',
      `${int(s.me_nocache.rps)} vs ${int(s.hello.rps)} rps`,
      uncachedVsHello,
      'none',
      null,
    ),
  );
  const loginVsBound = r(s.login.rps, bcryptBound.rps);
  targets.push(
    target(
      'login_vs_bcrypt_bound',
      `login rps ≥ 0.85 × bcrypt bound (${bcryptBound.threads ?? bcryptBound.cores} hashing thread(s) ÷ ${ms(bcryptBound.hashMs)} ms)`,
      `${rate(s.login.rps)} vs ${rate(bcryptBound.rps)} rps`,
      loginVsBound,
      '≥ 0.85',
      loginVsBound === null ? null : loginVsBound >= 0.85,
    ),
  );
  const registerVsLogin = r(s.register.rps, s.login.rps);
  targets.push(
    target(
      'register_vs_login',
      'register rps ≥ 0.9 × login rps',
      `${rate(s.register.rps)} vs ${rate(s.login.rps)} rps`,
      registerVsLogin,
      '≥ 0.90',
      registerVsLogin === null ? null : registerVsLogin >= 0.9,
    ),
  );
  const floodVsIdle = r(s.me_flood.p99, s.me_idle.p99);
  targets.push(
    target(
      'me_p99_under_login_flood',
      'me p99 during a login flood ≤ 2 × idle me p99 (same server)',
      `${ms(s.me_flood.p99)} vs ${ms(s.me_idle.p99)} ms`,
      floodVsIdle,
      '≤ 2.00',
      floodVsIdle === null ? null : floodVsIdle <= 2,
    ),
  );
  const deepVsFirst = r(s.users_deep.p99, s.users_first.p99);
  targets.push(
    target(
      'deep_page_vs_first_page',
      `users: deep page p99 ≤ 1.2 × first page p99 (${int(sizes.users)} users)`,
      `${ms(s.users_deep.p99)} vs ${ms(s.users_first.p99)} ms`,
      deepVsFirst,
      '≤ 1.20',
      deepVsFirst === null ? null : deepVsFirst <= 1.2,
    ),
  );
  const search = plans.searchPrefix;
  targets.push(
    target(
      'prefix_search_uses_index',
      'users(search:) prefix served by users_username_canonical_key, no Seq Scan (EXPLAIN)',
      search
        ? `${search.indexes.join(', ') || 'no index'}; ${search.seqScans.length ? `Seq Scan on ${search.seqScans.join(', ')}` : 'no Seq Scan'}; ${ms(search.executionMs)} ms`
        : '—',
      null,
      'index, no Seq Scan',
      search ? search.usesExpectedIndex : null,
    ),
  );
  const jwtRatio = r(s.me_jwt.rps, s.me.rps);
  targets.push(
    target(
      'me_jwt_vs_session_token',
      'me with an access token (JWT) ≥ 0.95 × me with a session token (same server, same data)',
      `${int(s.me_jwt.rps)} vs ${int(s.me.rps)} rps`,
      jwtRatio,
      '≥ 0.95',
      jwtRatio === null ? null : jwtRatio >= 0.95,
    ),
  );
  const sessionsRatio = r(s.me_big.rps, s.me.rps);
  targets.push(
    target(
      'me_big_sessions_vs_small',
      `me rps with ${int(sizes.bigSessions)} sessions ≥ 0.9 × with ${int(sizes.baseSessions)}`,
      `${int(s.me_big.rps)} vs ${int(s.me.rps)} rps`,
      sessionsRatio,
      '≥ 0.90',
      sessionsRatio === null ? null : sessionsRatio >= 0.9,
    ),
  );
  const rss = Math.max(s.me.rssMax ?? 0, s.me_big.rssMax ?? 0, s.me_idle.rssMax ?? 0) || null;
  targets.push(
    target(
      'server_rss_under_load',
      'server RSS during the me load ≤ 250 MB (PostgreSQL)',
      rss === null ? '—' : mb(rss),
      rss === null ? null : rss / RSS_LIMIT_BYTES,
      '≤ 1.00 (of 250 MB)',
      kind === 'postgres' && rss !== null ? rss <= RSS_LIMIT_BYTES : null,
      kind === 'postgres' ? null : 'the target is for PostgreSQL; PGlite runs the database inside the server process',
    ),
  );
  // No regression of login and users against an earlier run (--previous), same backend. Runs on a
  // shared 2-core machine differ by ±10 % on their own, so 0.9 is the line.
  if (previous) {
    for (const id of ['login', 'users_first', 'users_deep', 'users_search']) {
      const before = previous[id]?.rps ?? null;
      const ratioToBefore = r(s[id].rps, before);
      targets.push(
        target(
          `${id}_vs_previous`,
          `${id} rps ≥ 0.9 × the previous run's (no regression)`,
          `${rate(s[id].rps)} vs ${rate(before)} rps`,
          ratioToBefore,
          '≥ 0.90',
          ratioToBefore === null ? null : ratioToBefore >= 0.9,
        ),
      );
    }
  }
  return targets;
}

export function formatBackend(backend) {
  const { label, sizes, settings, summary, targets, plans, sessionPlans } = backend;
  const out = [];
  out.push('');
  out.push(`=== ${label} ===`);
  out.push(
    `Data: ${int(sizes.users)} seeded users in every database; ${int(sizes.baseSessions)} sessions behind server A, ` +
      `${int(sizes.bigSessions)} behind servers B and C. A and B serve only \`me\`; C takes login, register, the flood and users. ` +
      `bcrypt cost ${settings.bcryptCost}.`,
  );
  out.push(
    `Latency is at FIXED CONCURRENCY: ${settings.connections} connections for reads and ${settings.loginConnections} for login/register ` +
      `(closed loop: each connection sends its next request when the previous answer arrives; no rate mode). ` +
      `Medians of ${settings.rounds} interleaved round(s) of ${settings.duration} s` +
      (settings.warmup > 0 ? ` after a ${settings.warmup} s warm-up per scenario.` : ' (no warm-up).'),
  );
  out.push('');
  const rows = Object.values(summary).map((entry) => [
    entry.title,
    entry.server,
    entry.connections,
    int(entry.rps),
    ms(entry.p50),
    ms(entry.p99),
    mb(entry.rssMax),
    ['servers', 'postgres', 'bench', 'others']
      .map((key) => (entry.cpu[key] === null ? '—' : Math.round(entry.cpu[key] * 100)))
      .join('/'),
    entry.perRound.map((round) => int(round.rps)).join(' / '),
  ]);
  out.push(
    table(
      [
        'scenario',
        'server',
        'conns',
        'rps (median)',
        'p50 ms',
        'p99 ms',
        'max RSS',
        'CPU % srv/pg/gen/oth',
        'rps per round',
      ],
      rows,
    ),
  );
  out.push(
    'CPU %: shares of the whole machine during the step: the servers, PostgreSQL, the load generator (this process), ' +
      'and other processes that are not part of the benchmark.',
  );
  if (summary.me_flood?.floodRps !== undefined) {
    out.push(`(login rps during the flood: ${rate(summary.me_flood.floodRps)})`);
  }
  out.push('');
  out.push('Query plans (EXPLAIN (ANALYZE, BUFFERS) of the service SQL, second run, on the seeded data):');
  const planRows = [
    ...Object.entries(plans).map(([name, plan]) => [name, plan]),
    ...Object.entries(sessionPlans).map(([name, plan]) => [name, plan]),
  ].map(([name, plan]) => [
    name,
    plan.indexes.join(', ') || '—',
    plan.seqScans.length ? plan.seqScans.join(', ') : 'none',
    ms(plan.executionMs),
  ]);
  out.push(table(['query', 'index scans', 'Seq Scan on', 'exec ms'], planRows));
  if (plans.countAll) {
    out.push(
      `totalCount without a search reads the trigger-kept count in user_stats (${int(sizes.users)}+ users): ` +
        `${ms(plans.countAll.executionMs)} ms per call.`,
    );
  }
  out.push('');
  out.push('Targets from issue #6:');
  out.push(
    table(
      ['target', 'measured', 'ratio', 'goal', 'result'],
      targets.map((entry) => [
        entry.description,
        entry.measured,
        ratio(entry.ratio),
        entry.goal,
        entry.result + (entry.note ? ` (${entry.note})` : ''),
      ]),
    ),
  );
  return out.join('\n');
}
