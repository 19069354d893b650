// Exercises graded against the live lab (`workbook exercise`): the learner writes a TraceQL or PromQL query (or
// pastes a trace id), the workbook runs it against the lab and grades the RESULT, never the text. Each exercise
// computes the expected answer itself (its own query, on the same time window or at the same instant) and compares
// sets or values, so every query that finds the same thing passes; a near miss is named from what the two results
// differ by, and a query Tempo or Prometheus cannot parse gets their own words back.
import type { LabContext } from '../core/model.js';
import { fill, type Text } from '../core/text.js';
import { promQueryAt, type Sample } from './prometheus.js';
import { WorkbookError } from '../core/errors.js';
import { fetchTrace, newestBySeries, padTraceId, searchResponse, tempoGet, traceqlMetrics, NOT_TEMPO_API } from './tempo.js';
import { httpNamesOf, SERVICES, withHttpNames, type HttpNames } from './shop.js';
import { promqlShape, traceqlShape } from './query-shape.js';

export type Language = 'traceql' | 'promql' | 'trace-id' | 'traceql-metrics';

export interface Grade {
  right: boolean;
  /** what the grading read, in both languages (the learner's is shown and kept) */
  evidence: Text;
  hint?: Text;
}

export interface Exercise {
  id: string;
  /** the chapter it belongs to (the menu and `run` offer it there) */
  chapter: 'traces' | 'metrics-generator' | 'grafana' | 'what-changed';
  /** an exercise of one Tempo generation (TraceQL metrics are Tempo 3's here): refused on a profile of the other */
  tempo?: 3;
  language: Language;
  title: Text;
  /** what to find, said as a question; never the answer */
  task: Text;
  /** one right answer (`exercise list --spoilers`, and the tests) */
  answer: string;
  /** a second, different right answer (the tests prove a different query passes too) */
  another: string;
  /**
   * The first hint, given with a first wrong answer: where to look, never the answer's names or operators ({tempo}
   * and {prometheus} are this lab's). The grade's own hint, closer, comes from the second wrong answer on.
   */
  lookAt: Text;
  grade(ctx: LabContext, answer: string): Promise<Grade>;
}

// ---------------------------------------------------------------------------------------------- TraceQL

/** The window both queries search: the last two minutes, ending ten seconds ago (traces of the shop are complete by then). */
export function traceWindow(nowMs: number): { start: number; end: number } {
  const end = Math.floor(nowMs / 1000) - 10;
  return { start: end - 120, end };
}

/** Search with TraceQL on Tempo (or through Grafana's Tempo data source): the trace ids, or Tempo's own refusal. */
async function traceqlIds(ctx: LabContext, q: string, w: { start: number; end: number }, via: 'tempo' | 'grafana'): Promise<{ ids: Set<string> } | { refused: string }> {
  const qs = new URLSearchParams({ q, start: String(w.start), end: String(w.end), limit: '5000' });
  let status: number;
  let body: string;
  if (via === 'grafana') {
    const { grafanaRequest } = await import('./grafana.js');
    const r = await grafanaRequest(ctx, `/api/datasources/proxy/uid/tempo/api/search?${qs}`);
    ({ status, body } = r);
  } else {
    // the lab's one Tempo client: multi-tenancy, a missing querier and a page that is not Tempo are named as the checks name them
    ({ status, body } = await tempoGet(ctx, `/api/search?${qs}`));
  }
  // Tempo answers a query it cannot parse with 400 and its parser's message (grafana/tempo@v2.2.2 modules/frontend/searchsharding.go)
  if (status === 400) return { refused: body.trim().slice(0, 300) };
  if (status !== 200) throw new WorkbookError(`TraceQL search → HTTP ${status} ${body.trim().slice(0, 120)}`, { hint: fill(NOT_TEMPO_API, { what: `HTTP ${status}` }) });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const { traces } = searchResponse(ctx, '/api/search', { body, json });
  return { ids: new Set(traces.map((t) => padTraceId(t.traceID))) };
}

const TRACEQL_REFUSED: Text = {
  en: 'That is Tempo\'s own parser speaking. TraceQL selects spans in braces: { <condition> }, conditions like span.http.status_code = 403 or resource.service.name = "cart-service", joined with && or ||; strings in double quotes.',
  'zh-TW': '這是 Tempo 自己的語法分析器的回覆。TraceQL 用大括號選取 span：{ <條件> }，條件像 span.http.status_code = 403 或 resource.service.name = "cart-service"，用 && 或 || 連接；字串要用雙引號。',
};
const TRACEQL_EMPTY: Text = {
  en: 'Your query found no trace in the last two minutes. Is the attribute\'s scope right? span. is set on a span, resource. on the service that sent it (service.name is a resource attribute); a bare .name looks at both.',
  'zh-TW': '你的查詢在最近兩分鐘內找不到任何追蹤。屬性的範圍對嗎？span. 是設在 span 上的屬性，resource. 是送出它的服務的屬性（service.name 是 resource 屬性）；只寫 .name 則兩者都會查。',
};

/**
 * What a right answer must be made of, beyond finding the same result: the lab's data can make a lucky query find
 * it too ({ status = error } finds exactly the 403 traces here). Read by the language's own parser
 * (scripts/lab/query-shape.ts): a name inside a string is not a field, ">>" inside a string is not an operator.
 */
interface Shape {
  /** true when the query has what the exercise teaches (an attribute by the name this lab's generator writes) */
  has(query: string, http: HttpNames): boolean;
  /** what it lacks, said without giving the answer away */
  lacks: Text;
}
/** The HTTP status exercises: { status = error } finds the same traces here, as the 403 is the lab's only error. */
const STATUS_CODE_SHAPE: Shape = { has: (q, http) => traceqlShape(q).conditions.some((c) => c.name === http.status && !c.intrinsic), lacks: { en: 'The question is about the HTTP answer, not about errors in general: elsewhere an error need not be a 403. Match the status code the spans carry.', 'zh-TW': '題目問的是 HTTP 回應，而不是一般的錯誤：在別的地方，錯誤不一定是 403。請比對 span 上帶的狀態碼。' } };
/** A learner's regular expression tried on a value; one that does not compile matches nothing. */
function safeTest(re: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${re})$`).test(value);
  } catch {
    return false;
  }
}
/** A hint of the article's said with this lab's attribute names (xk6-client-tracing v0.0.8 renamed the HTTP ones). */
const named = (t: Text, http: HttpNames): Text => ({ en: withHttpNames(t.en, http), 'zh-TW': withHttpNames(t['zh-TW'], http) });
const luckyEvidence = (what: string, zh: string): Text => ({ en: `your query finds ${what}, but by luck of this lab's data: it is not the query the question asks for`, 'zh-TW': `你的查詢找到${zh}，但那是這個實驗環境的資料碰巧如此：它不是題目要的查詢` });

function traceqlExercise(o: Omit<Exercise, 'language' | 'grade'> & { expected: string; via?: 'tempo' | 'grafana'; extra: Text; missing: Text; shape?: Shape }): Exercise {
  return {
    ...o,
    language: 'traceql',
    async grade(ctx, answer) {
      const via = o.via ?? 'tempo';
      const http = httpNamesOf(ctx.lab.profile);
      const expected = withHttpNames(o.expected, http);
      // twice at most: a trace that arrived between the two searches is not the learner's mistake
      for (let round = 0; ; round++) {
        const w = traceWindow(ctx.clock.now());
        const want = await traceqlIds(ctx, expected, w, via);
        if ('refused' in want) throw new WorkbookError(`the exercise's own query was refused: ${want.refused}`);
        if (!want.ids.size) throw new WorkbookError('the lab holds no trace this exercise is about in the two minutes before the last ten seconds (a trace is searchable some seconds after its last span): on a lab just started, try again in half a minute; else, is the shop\'s traffic running (chapter 4, `workbook verify traffic`)?');
        const got = await traceqlIds(ctx, answer, w, via);
        if ('refused' in got) return { right: false, evidence: { en: `${via === 'grafana' ? 'Grafana (Tempo)' : 'Tempo'} refused the query: ${got.refused}`, 'zh-TW': `${via === 'grafana' ? 'Grafana（Tempo）' : 'Tempo'} 拒絕了這個查詢：${got.refused}` }, hint: named(TRACEQL_REFUSED, http) };
        const extra = [...got.ids].filter((id) => !want.ids.has(id));
        const missing = [...want.ids].filter((id) => !got.ids.has(id));
        if (!extra.length && !missing.length) {
          if (o.shape && !o.shape.has(answer, http)) return { right: false, evidence: luckyEvidence(`the same ${got.ids.size} traces`, `同樣的 ${got.ids.size} 筆追蹤`), hint: o.shape.lacks };
          return { right: true, evidence: { en: `right: ${got.ids.size} traces in the last two minutes, the same set the exercise expects`, 'zh-TW': `正確：最近兩分鐘內 ${got.ids.size} 筆追蹤，正是題目預期的那一組` } };
        }
        if (round === 0 && extra.length + missing.length <= 2) continue;
        if (!got.ids.size) return { right: false, evidence: { en: `your query found no trace; ${want.ids.size} were expected`, 'zh-TW': `你的查詢沒有找到任何追蹤；預期有 ${want.ids.size} 筆` }, hint: TRACEQL_EMPTY };
        if (extra.length) return { right: false, evidence: { en: `your query also returns ${extra.length} trace(s) it should not (${got.ids.size} found, ${want.ids.size} expected; e.g. ${extra[0]})`, 'zh-TW': `你的查詢多傳回了 ${extra.length} 筆不該有的追蹤（找到 ${got.ids.size} 筆，預期 ${want.ids.size} 筆；例如 ${extra[0]}）` }, hint: named(o.extra, http) };
        return { right: false, evidence: { en: `your query misses ${missing.length} of ${want.ids.size} traces (e.g. ${missing[0]})`, 'zh-TW': `你的查詢漏掉了 ${want.ids.size} 筆中的 ${missing.length} 筆（例如 ${missing[0]}）` }, hint: named(o.missing, http) };
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------- PromQL


/** A PromQL duration (1y2w3d4h5m6s7ms, as Prometheus writes them) in ms; undefined when it is not one. */
function promDuration(d: string): number | undefined {
  const units: Record<string, number> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let rest = d;
  while (rest) {
    const m = /^(\d+)(ms|y|w|d|h|m|s)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** The longest range a learner's query may ask for, and the most points a subquery may make (the lab holds minutes of data). */
export const PROMQL_BOUNDS = { rangeMs: 86_400_000, subquerySteps: 10_000 } as const;

/**
 * Why a learner's query is not sent, or undefined. Prometheus 2.42 with --query.timeout and --query.max-samples still
 * grew to 18 GB on \`max_over_time(rate(x[5m])[3650d:1s])\` (measured on the embedded lab): ranges and subqueries are
 * bounded here, before Prometheus sees them.
 */
export function tooHeavy(expr: string): string | undefined {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  for (const m of code.matchAll(/\[\s*([0-9a-z]+)\s*(?::\s*([0-9a-z]*)\s*)?\]/gi)) {
    const range = promDuration(m[1]!);
    if (range === undefined) continue;
    if (range > PROMQL_BOUNDS.rangeMs) return `a range of ${m[1]} (this lab holds minutes of data; ranges here are at most 1d)`;
    if (m[2] !== undefined) {
      const step = m[2] ? promDuration(m[2]) : 60_000;
      if (step && range / step > PROMQL_BOUNDS.subquerySteps) return `a subquery of ${Math.round(range / step)} steps ([${m[1]}:${m[2]}]; at most ${PROMQL_BOUNDS.subquerySteps})`;
    }
  }
  return undefined;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 + 1e-6 * Math.max(Math.abs(a), Math.abs(b));
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(4));

const PROMQL_REFUSED: Text = {
  en: 'That is Prometheus\' own parser speaking. A selector is metric_name{label="value"}; a range [5m] goes right after it, inside rate(…); aggregations read sum by (label) (…).',
  'zh-TW': '這是 Prometheus 自己的語法分析器的回覆。選擇器寫成 metric_name{label="value"}；範圍 [5m] 緊接在選擇器後面，放在 rate(…) 裡；聚合寫成 sum by (label) (…)。',
};
const PROMQL_HEAVY: Text = {
  en: 'The question is about the last few minutes: a window like [5m] is enough. A much longer range makes Prometheus hold every point of it in memory.',
  'zh-TW': '題目問的是最近幾分鐘：像 [5m] 這樣的時間窗就夠了。長得多的範圍會讓 Prometheus 把其中每個點都放進記憶體。',
};
const PROMQL_EMPTY: Text = {
  en: 'Your query returned nothing. Check the metric\'s name (the generator\'s all start with traces_) and the label values; `curl -sG <prometheus>/api/v1/series --data-urlencode \'match[]={__name__=~"traces_.+"}\'` lists what exists.',
  'zh-TW': '你的查詢沒有傳回任何東西。檢查指標名稱（generator 產生的都以 traces_ 開頭）與標籤值；`curl -sG <prometheus>/api/v1/series --data-urlencode \'match[]={__name__=~"traces_.+"}\'` 會列出有哪些。',
};
const PER_SECOND: Text = {
  en: 'Your number is about 300 times the answer: that is how many failed in five minutes (increase), and the question asks per second (rate).',
  'zh-TW': '你的數字大約是答案的 300 倍：那是五分鐘內失敗的次數（increase），題目問的是每秒（rate）。',
};

/** Grade a PromQL answer at one instant: prepared by `judge` from the learner's samples and the expected ones. */
function promqlExercise(o: Omit<Exercise, 'language' | 'grade'> & { expected: string; judge: (got: Sample[], want: Sample[]) => Grade; shape?: Shape }): Exercise {
  return {
    ...o,
    language: 'promql',
    async grade(ctx, answer) {
      // refused before anything is sent
      const heavy = tooHeavy(answer);
      if (heavy) return { right: false, evidence: { en: `not sent to Prometheus: ${heavy}`, 'zh-TW': `沒有送給 Prometheus：${heavy}` }, hint: PROMQL_HEAVY };
      const time = Math.floor(ctx.clock.now() / 1000);
      const want = await promQueryAt(ctx, o.expected, time);
      if ('refused' in want) throw new WorkbookError(`the exercise's own query was refused: ${want.refused}`);
      if (!want.samples.length) throw new WorkbookError('Prometheus holds none of the series this exercise is about: does chapter 6 pass (`workbook verify metrics-generator`)?');
      const got = await promQueryAt(ctx, answer, time);
      if ('refused' in got) return { right: false, evidence: { en: `Prometheus refused the query: ${got.refused}`, 'zh-TW': `Prometheus 拒絕了這個查詢：${got.refused}` }, hint: PROMQL_REFUSED };
      if (!got.samples.length) return { right: false, evidence: { en: 'your query returned no series', 'zh-TW': '你的查詢沒有傳回任何序列' }, hint: PROMQL_EMPTY };
      const g = o.judge(got.samples, want.samples);
      if (g.right && o.shape && !o.shape.has(answer, httpNamesOf(ctx.lab.profile))) return { right: false, evidence: luckyEvidence('the same number', '同樣的數字'), hint: o.shape.lacks };
      return g;
    },
  };
}

/** Near misses say what differs and where to look, never the query: the answer is for `exercise list --spoilers`. */
const P95_VALUE: Text = {
  en: 'Compare your query with the question, part by part: which side of the edge it measures (there are client and server histograms), which percentile, and over which window. The le label must survive until histogram_quantile.',
  'zh-TW': '把你的查詢和題目逐項對照：量的是邊的哪一側（有 client 與 server 兩種直方圖）、哪個百分位數、多長的時間窗。le 標籤必須保留到 histogram_quantile。',
};
const NOT_THE_NUMBER: Text = {
  en: 'Not the same number, and not off by a factor of 300 either: check which counter you read (one counts every request, another only the failed ones), the window the question asks for, and that the result is per second.',
  'zh-TW': '數字不同，也不是差了 300 倍：檢查你讀的是哪個計數器（一個計算所有請求，另一個只計算失敗的）、題目要求的時間窗，以及結果是不是每秒的值。',
};
const NOT_THE_CALLS: Text = {
  en: 'Compare with the question: calls, per second, over the window it names, one number for each service. Which of the span-metrics counters counts calls?',
  'zh-TW': '和題目對照：呼叫次數、每秒、題目指定的時間窗、每個服務一個數字。span 指標的計數器中，哪一個計算的是呼叫次數？',
};

const edge = (l: Record<string, string>) => `${l.client ?? '?'} → ${l.server ?? '?'}`;

// ---------------------------------------------------------------------------------------------- the exercises

/** The article's exercises (chapters 5–7): TraceQL search and PromQL, on either Tempo. */
const ARTICLE_EXERCISES: readonly Exercise[] = [
  traceqlExercise({
    id: 'find-forbidden',
    chapter: 'traces',
    title: { en: 'Find the forbidden requests', 'zh-TW': '找出被拒絕的請求' },
    task: { en: 'Write a TraceQL query that finds the traces whose root span answered HTTP 403.', 'zh-TW': '寫一個 TraceQL 查詢，找出根 span 回應 HTTP 403 的追蹤。' },
    lookAt: { en: 'Which attribute of a span holds the HTTP status it answered? `curl -s {tempo}/api/search/tags` lists the attribute names Tempo holds; chapter 5\'s lesson explains the scopes, span. and resource.', 'zh-TW': 'span 的哪個屬性記錄它回應的 HTTP 狀態？`curl -s {tempo}/api/search/tags` 會列出 Tempo 保存的屬性名稱；第 5 章的課文說明了 span. 與 resource. 這兩種範圍。' },
    answer: '{ span.http.status_code = 403 }',
    another: '{ resource.service.name = "auth-service" && span.http.status_code = 403 }',
    expected: '{ span.http.status_code = 403 }',
    extra: { en: 'Your query also returns traces whose root did not answer 403: the status code is a span attribute (span.http.status_code), and 403 is the value to match.', 'zh-TW': '你的查詢也傳回了根 span 不是回應 403 的追蹤：狀態碼是 span 屬性（span.http.status_code），要比對的值是 403。' },
    missing: { en: 'Your query misses some of them: match the status code alone, without narrowing by service or span name.', 'zh-TW': '你的查詢漏掉了一些：只比對狀態碼，不要再用服務或 span 名稱縮小範圍。' },
    // here only the 403 traces have an error status: { status = error } finds them by luck
    shape: STATUS_CODE_SHAPE,
  }),
  traceqlExercise({
    id: 'reached-cart',
    chapter: 'traces',
    title: { en: 'Who reached the cart?', 'zh-TW': '誰進了購物車？' },
    task: { en: 'Write a TraceQL query that finds every trace in which cart-service took part.', 'zh-TW': '寫一個 TraceQL 查詢，找出 cart-service 有參與的所有追蹤。' },
    lookAt: { en: 'A service\'s name belongs to the service that sent the span, not to the span itself: which scope is that? `curl -s {tempo}/api/search/tags` lists the attribute names.', 'zh-TW': '服務名稱屬於送出 span 的服務，而不是 span 本身：那是哪一種範圍？`curl -s {tempo}/api/search/tags` 會列出屬性名稱。' },
    answer: '{ resource.service.name = "cart-service" }',
    another: '{ .service.name = "cart-service" && name = "persist-cart" }',
    expected: '{ resource.service.name = "cart-service" }',
    extra: { en: 'Your query also returns traces without cart-service: match the service that sent the span (resource.service.name).', 'zh-TW': '你的查詢也傳回了沒有 cart-service 的追蹤：要比對送出 span 的服務（resource.service.name）。' },
    missing: { en: 'Your query misses some: any span of cart-service is enough, whatever its name.', 'zh-TW': '你的查詢漏掉了一些：cart-service 的任何 span 都算，不論名稱。' },
    // cart-service's spans here are only place-articles and persist-cart, each in every cart trace: a span name finds the same set
    shape: {
      has: (q) => traceqlShape(q).conditions.some((c) => c.name === 'service.name' && (c.op === '=' ? c.value === 'cart-service' : c.op === '=~' && safeTest(c.value, 'cart-service'))),
      lacks: { en: 'The question is about a service taking part, not about one of its spans: here every trace with cart-service has the same two span names, elsewhere a service\'s spans come and go. Select by the service.', 'zh-TW': '題目問的是某個服務有沒有參與，而不是它的某個 span：這裡每個有 cart-service 的追蹤都剛好有同樣兩個 span 名稱，在別處服務的 span 會有變化。請用服務來選。' },
    },
  }),
  traceqlExercise({
    id: 'postgres-below-articles',
    chapter: 'traces',
    title: { en: 'The database below the articles', 'zh-TW': '文章底下的資料庫' },
    task: { en: 'Write a TraceQL query that finds the traces in which a postgres span sits somewhere below an article-service span (a structural query).', 'zh-TW': '寫一個 TraceQL 查詢，找出 postgres 的 span 位於 article-service 的 span 底下（任意層）的追蹤（結構查詢）。' },
    lookAt: { en: 'A structural query joins two span selectors with an operator that says how their spans are related (a child, any descendant, a sibling); chapter 5\'s lesson lists them. Which relation is "somewhere below"?', 'zh-TW': '結構查詢用一個運算子連接兩個 span 選擇器，運算子表示兩者的關係（子、任意後代、兄弟）；第 5 章的課文列出了它們。「底下任意層」是哪一種關係？' },
    answer: '{ resource.service.name = "article-service" } >> { resource.service.name = "postgres" }',
    another: '{ resource.service.name = "article-service" } >> { name = "query-articles" }',
    expected: '{ resource.service.name = "article-service" } >> { resource.service.name = "postgres" }',
    extra: { en: 'Your query also returns traces without that pair: A >> B keeps the B spans that have an A span anywhere above them.', 'zh-TW': '你的查詢也傳回了沒有這組關係的追蹤：A >> B 會保留上方任意層有 A span 的 B span。' },
    missing: { en: 'Your query misses some: > is the direct parent only; >> is any ancestor.', 'zh-TW': '你的查詢漏掉了一些：> 只看直接的父 span；>> 則是任意祖先。' },
    // here every postgres span is below an article-service span: { resource.service.name = "postgres" } finds them by luck
    shape: { has: (q) => traceqlShape(q).structural.length > 0, lacks: { en: 'The question asks for a structural query: one spanset in relation to another (a descendant somewhere below an ancestor). Here every postgres span happens to be under article-service; elsewhere it need not be.', 'zh-TW': '題目要的是結構查詢：一組 span 與另一組 span 的關係（位於祖先底下任意層的後代）。這裡每個 postgres span 剛好都在 article-service 底下；在別處不一定如此。' } },
  }),
  traceqlExercise({
    id: 'slow-authenticate',
    chapter: 'traces',
    title: { en: 'Slow log-ins', 'zh-TW': '慢吞吞的登入' },
    task: { en: 'Write a TraceQL query that finds the traces in which shop-backend\'s "authenticate" span took longer than 100 ms.', 'zh-TW': '寫一個 TraceQL 查詢，找出 shop-backend 的 "authenticate" span 花費超過 100 ms 的追蹤。' },
    lookAt: { en: 'Three conditions on one span: which service sent it, what it is called, and how long it took. A span\'s own name and its duration are intrinsics, written without a scope.', 'zh-TW': '同一個 span 要符合三個條件：哪個服務送出、它叫什麼名字、花了多久。span 自己的名稱與耗時是內建欄位，不加範圍前綴。' },
    answer: '{ resource.service.name = "shop-backend" && name = "authenticate" && duration > 100ms }',
    another: '{ name = "authenticate" && duration > 100ms && resource.service.name != "auth-service" }',
    expected: '{ resource.service.name = "shop-backend" && name = "authenticate" && duration > 100ms }',
    extra: { en: 'Your query also returns traces whose shop-backend "authenticate" span took 100 ms or less: the threshold is duration > 100ms, and all three conditions go in one pair of braces (the same span).', 'zh-TW': '你的查詢也傳回了 shop-backend 的 "authenticate" span 只花 100 ms 以內的追蹤：門檻是 duration > 100ms，而且三個條件要放在同一對大括號裡（同一個 span）。' },
    missing: { en: 'Your query misses some: duration > 100ms (a duration with its unit), and name is the span\'s name, an intrinsic without a scope.', 'zh-TW': '你的查詢漏掉了一些：duration > 100ms（時間長度要帶單位），name 是 span 的名稱，屬於內建欄位，不加範圍。' },
    // here only shop-backend's authenticate spans run over 100 ms: a query without the name finds them by luck
    shape: { has: (q) => ((c) => c.some((x) => x.intrinsic && x.name === 'name' && /^=~?$/.test(x.op)) && c.some((x) => x.intrinsic && x.name === 'duration' && /^>=?$/.test(x.op)))(traceqlShape(q).conditions), lacks: { en: 'The question names one span: select it by its name (an intrinsic, without a scope) as well as by its duration. Here no other span happens to take that long.', 'zh-TW': '題目指定了某一個 span：除了時間長度，也要用它的名稱（內建欄位，不加範圍）來選。這裡剛好沒有別的 span 花這麼久。' } },
  }),
  promqlExercise({
    id: 'edge-error-rate',
    chapter: 'metrics-generator',
    title: { en: 'How often does log-in fail?', 'zh-TW': '登入多常失敗？' },
    task: { en: 'Write a PromQL query for the per-second rate of failed requests from shop-backend to auth-service, over 5 minutes.', 'zh-TW': '寫一個 PromQL 查詢，算出 shop-backend 呼叫 auth-service 失敗請求的每秒速率，時間窗為 5 分鐘。' },
    lookAt: { en: 'The service graph counts requests per edge (client, server) in counters: `curl -s {prometheus}/api/v1/label/__name__/values` lists the names. Which one counts the failed ones, and which function turns a counter into a per-second rate?', 'zh-TW': '服務圖用計數器記錄每條邊（client、server）的請求：`curl -s {prometheus}/api/v1/label/__name__/values` 會列出名稱。哪一個計算失敗的請求？哪個函式能把計數器變成每秒速率？' },
    answer: 'sum(rate(traces_service_graph_request_failed_total{client="shop-backend", server="auth-service"}[5m]))',
    another: 'rate(traces_service_graph_request_failed_total{client="shop-backend", server="auth-service"}[5m])',
    expected: 'sum(rate(traces_service_graph_request_failed_total{client="shop-backend", server="auth-service"}[5m]))',
    // here only that edge ever fails: a query over every edge gives the same number, and would not elsewhere
    shape: {
      has: (q) => promqlShape(q).selectors.some((x) => x.metric.startsWith('traces_service_graph_request') && x.labels.includes('client') && x.labels.includes('server')),
      lacks: { en: 'The question names one edge: select it by its client and its server. Here no other edge has failed requests, so every edge together gives the same number; in another lab it would not.', 'zh-TW': '題目指定了一條邊：請用它的 client 與 server 選出它。這裡沒有別的邊有失敗請求，所以把所有邊加起來剛好是同樣的數字；在別的實驗環境就不會如此。' },
    },
    judge(got, want) {
      const w = want[0]!.value;
      const others = got.filter((s) => (s.labels.client && s.labels.client !== 'shop-backend') || (s.labels.server && s.labels.server !== 'auth-service'));
      if (others.length) return { right: false, evidence: { en: `your result holds other edges too: ${[...new Set(others.map((s) => edge(s.labels)))].join(', ')}`, 'zh-TW': `你的結果還包含其他的邊：${[...new Set(others.map((s) => edge(s.labels)))].join('、')}` }, hint: { en: 'Select the one edge: client="shop-backend" and server="auth-service" inside the braces.', 'zh-TW': '只選那一條邊：在大括號裡寫 client="shop-backend" 與 server="auth-service"。' } };
      const sum = got.reduce((n, s) => n + s.value, 0);
      if (close(sum, w)) return { right: true, evidence: { en: `right: ${fmt(sum)} failed requests per second`, 'zh-TW': `正確：每秒 ${fmt(sum)} 個失敗請求` } };
      if (w > 0 && Math.abs(sum / w - 300) < 3) return { right: false, evidence: { en: `your result is ${fmt(sum)}; the answer is ${fmt(w)} per second`, 'zh-TW': `你的結果是 ${fmt(sum)}；答案是每秒 ${fmt(w)}` }, hint: PER_SECOND };
      return { right: false, evidence: { en: `your result is ${fmt(sum)}; the answer is ${fmt(w)} per second`, 'zh-TW': `你的結果是 ${fmt(sum)}；答案是每秒 ${fmt(w)}` }, hint: NOT_THE_NUMBER };
    },
  }),
  promqlExercise({
    id: 'slowest-edge-p95',
    chapter: 'metrics-generator',
    title: { en: 'The slowest edge', 'zh-TW': '最慢的那條邊' },
    task: { en: 'Write a PromQL query that returns the one service-graph edge (client, server) with the highest 95th-percentile server latency over 5 minutes.', 'zh-TW': '寫一個 PromQL 查詢，傳回伺服端延遲第 95 百分位數（5 分鐘時間窗）最高的那一條服務圖邊（client、server）。' },
    lookAt: { en: 'A percentile comes from a histogram\'s buckets (the series whose names end in _bucket), kept per edge; PromQL has one function that computes a quantile from buckets and one that keeps the highest series.', 'zh-TW': '百分位數來自直方圖的桶（名稱以 _bucket 結尾的序列），並依每條邊分開；PromQL 有一個從桶計算分位數的函式，還有一個只保留最高序列的函式。' },
    answer: 'topk(1, histogram_quantile(0.95, sum by (le, client, server) (rate(traces_service_graph_request_server_seconds_bucket[5m]))))',
    // a quantile does not change when every bucket is scaled alike: increase() over the window is as right as rate()
    another: 'topk(1, histogram_quantile(0.95, sum by (client, server, le) (increase(traces_service_graph_request_server_seconds_bucket[5m]))))',
    expected: 'histogram_quantile(0.95, sum by (le, client, server) (rate(traces_service_graph_request_server_seconds_bucket[5m])))',
    // naming the edge that happens to be slowest now returns it too, without finding it
    shape: {
      has: (q) => promqlShape(q).selectors.filter((x) => x.metric.endsWith('_bucket')).every((x) => !x.labels.includes('client') && !x.labels.includes('server')),
      lacks: { en: 'The question asks the query to find the slowest edge, not to name it: your selector picks an edge by its client or server. Compute every edge\'s percentile and keep the highest.', 'zh-TW': '題目要查詢自己找出最慢的邊，而不是直接指名：你的選擇器用 client 或 server 挑了一條邊。請算出每條邊的百分位數，再保留最高的那一條。' },
    },
    judge(got, want) {
      const valid = want.filter((s) => Number.isFinite(s.value));
      const top = Math.max(...valid.map((s) => s.value));
      const slowest = valid.filter((s) => close(s.value, top)).map((s) => edge(s.labels));
      if (got.some((s) => !s.labels.client || !s.labels.server)) return { right: false, evidence: { en: 'your result has no client and server labels', 'zh-TW': '你的結果沒有 client 與 server 標籤' }, hint: { en: 'Keep the edge in the result: sum by (le, client, server) before histogram_quantile.', 'zh-TW': '結果要保留邊的資訊：在 histogram_quantile 之前用 sum by (le, client, server)。' } };
      if (got.length > 1) return { right: false, evidence: { en: `your result has ${got.length} edges; one is asked for`, 'zh-TW': `你的結果有 ${got.length} 條邊；題目只要一條` }, hint: { en: 'Keep only the highest: topk(1, …).', 'zh-TW': '只保留最高的那一個：topk(1, …)。' } };
      const mine = edge(got[0]!.labels);
      if (slowest.includes(mine) && close(got[0]!.value, top)) return { right: true, evidence: { en: `right: ${mine}, p95 ${fmt(top)} s`, 'zh-TW': `正確：${mine}，p95 為 ${fmt(top)} 秒` } };
      if (slowest.includes(mine)) return { right: false, evidence: { en: `your edge is the slowest, ${mine}, but your p95 is ${fmt(got[0]!.value)} s where it is ${fmt(top)} s`, 'zh-TW': `你找到的正是最慢的邊 ${mine}，但你的 p95 是 ${fmt(got[0]!.value)} 秒，應為 ${fmt(top)} 秒` }, hint: P95_VALUE };
      return { right: false, evidence: { en: `your edge is ${mine} (${fmt(got[0]!.value)} s); the slowest is ${slowest.join(' or ')} (${fmt(top)} s)`, 'zh-TW': `你的邊是 ${mine}（${fmt(got[0]!.value)} 秒）；最慢的是 ${slowest.join(' 或 ')}（${fmt(top)} 秒）` }, hint: P95_VALUE };
    },
  }),
  promqlExercise({
    id: 'calls-per-service',
    chapter: 'metrics-generator',
    title: { en: 'Calls per service', 'zh-TW': '每個服務的呼叫量' },
    task: { en: 'Write a PromQL query for each service\'s calls per second from span metrics over 5 minutes: one series per service.', 'zh-TW': '寫一個 PromQL 查詢，用 span 指標算出每個服務每秒的呼叫次數（時間窗 5 分鐘）：每個服務一條序列。' },
    lookAt: { en: 'Span metrics count each service\'s calls in a counter: `curl -s {prometheus}/api/v1/label/__name__/values` lists the names. Make it per second, then keep one series per service.', 'zh-TW': 'span 指標用計數器記錄每個服務的呼叫次數：`curl -s {prometheus}/api/v1/label/__name__/values` 會列出名稱。先轉成每秒的值，再讓每個服務只留一條序列。' },
    answer: 'sum by (service) (rate(traces_spanmetrics_calls_total[5m]))',
    // increase() over 5m is rate() times 300, exactly (the same extrapolation: prometheus/prometheus@v2.47.0 promql/functions.go extrapolatedRate)
    another: 'sum by (service) (increase(traces_spanmetrics_calls_total[5m])) / 300',
    expected: 'sum by (service) (rate(traces_spanmetrics_calls_total[5m]))',
    judge(got, want) {
      if (got.some((s) => !s.labels.service)) return { right: false, evidence: { en: `your result has ${got.length} series without a service label`, 'zh-TW': `你的結果有 ${got.length} 條沒有 service 標籤的序列` }, hint: { en: 'One number per service: sum by (service) (…).', 'zh-TW': '每個服務一個數字：sum by (service) (…)。' } };
      const byService = new Map<string, number>();
      for (const s of got) byService.set(s.labels.service!, (byService.get(s.labels.service!) ?? 0) + s.value);
      if (got.length !== byService.size) return { right: false, evidence: { en: `your result has ${got.length} series for ${byService.size} services`, 'zh-TW': `你的結果有 ${got.length} 條序列，卻只有 ${byService.size} 個服務` }, hint: { en: 'One series per service: sum the others away (sum by (service)).', 'zh-TW': '每個服務只要一條序列：把其他維度加總掉（sum by (service)）。' } };
      const wrong = want.filter((w) => !close(byService.get(w.labels.service!) ?? NaN, w.value));
      if (!wrong.length && byService.size === want.length) return { right: true, evidence: { en: `right: ${want.map((w) => `${w.labels.service} ${fmt(w.value)}/s`).join(', ')}`, 'zh-TW': `正確：${want.map((w) => `${w.labels.service} 每秒 ${fmt(w.value)}`).join('、')}` } };
      const w0 = wrong[0] ?? want[0]!;
      const mine = byService.get(w0.labels.service!);
      if (mine !== undefined && w0.value > 0 && Math.abs(mine / w0.value - 300) < 3) return { right: false, evidence: { en: `${w0.labels.service}: yours ${fmt(mine)}, expected ${fmt(w0.value)}/s`, 'zh-TW': `${w0.labels.service}：你的是 ${fmt(mine)}，預期每秒 ${fmt(w0.value)}` }, hint: { en: 'About 300 times too many: that is calls in 5 minutes (increase); per second is rate().', 'zh-TW': '大約多了 300 倍：那是 5 分鐘內的呼叫次數（increase）；每秒要用 rate()。' } };
      return { right: false, evidence: { en: `${w0.labels.service}: yours ${mine === undefined ? 'missing' : fmt(mine)}, expected ${fmt(w0.value)}/s (services: ${SERVICES.join(', ')})`, 'zh-TW': `${w0.labels.service}：你的${mine === undefined ? '沒有這個服務' : `是 ${fmt(mine)}`}，預期每秒 ${fmt(w0.value)}（服務：${SERVICES.join('、')}）` }, hint: NOT_THE_CALLS };
    },
  }),
  {
    id: 'exemplar-trace',
    chapter: 'metrics-generator',
    language: 'trace-id',
    title: { en: 'The trace behind a dot', 'zh-TW': '小點背後的追蹤' },
    task: { en: 'Ask Prometheus for the exemplars of traces_spanmetrics_latency_bucket (its /api/v1/query_exemplars) and paste one exemplar\'s trace id.', 'zh-TW': '向 Prometheus 查詢 traces_spanmetrics_latency_bucket 的 exemplar（/api/v1/query_exemplars），貼上其中一個 exemplar 的追蹤 ID。' },
    lookAt: { en: 'The exemplars API answers with series, each carrying exemplars with labels of their own: the trace id is one of those labels. `curl -sG {prometheus}/api/v1/query_exemplars --data-urlencode query=…` shows them.', 'zh-TW': 'exemplar API 的回應是一組序列，每條序列帶著各自有標籤的 exemplar：追蹤 ID 就是其中一個標籤。`curl -sG {prometheus}/api/v1/query_exemplars --data-urlencode query=…` 可以看到。' },
    answer: '(a traceID label of /api/v1/query_exemplars?query=traces_spanmetrics_latency_bucket)',
    another: '(another one)',
    async grade(ctx, answer) {
      const id = answer.trim().toLowerCase();
      if (!/^[0-9a-f]{1,32}$/.test(id)) return { right: false, evidence: { en: `"${answer.trim().slice(0, 40)}" is not a trace id (1 to 32 hex digits)`, 'zh-TW': `「${answer.trim().slice(0, 40)}」不是追蹤 ID（應為 1 到 32 個十六進位數字）` }, hint: { en: 'Paste the value of the exemplar\'s traceID label, nothing around it.', 'zh-TW': '只貼上 exemplar 的 traceID 標籤值，不要帶其他字。' } };
      const { promExemplars } = await import('./prometheus.js');
      const end = Math.floor(ctx.clock.now() / 1000);
      const series = await promExemplars(ctx, 'traces_spanmetrics_latency_bucket', end - 1800, end);
      const ids = new Set(series.flatMap((s) => s.exemplars.map((e) => e.labels.traceID).filter((x): x is string => !!x).map(padTraceId)));
      if (!ids.size) throw new WorkbookError('Prometheus holds no exemplar of traces_spanmetrics_latency_bucket in the last 30 minutes: does chapter 6 pass (`workbook verify metrics-generator`)?');
      if (!ids.has(padTraceId(id))) return { right: false, evidence: { en: `${id} is not among the ${ids.size} exemplar trace ids of the last 30 minutes`, 'zh-TW': `${id} 不在最近 30 分鐘的 ${ids.size} 個 exemplar 追蹤 ID 之中` }, hint: { en: 'Take it from the exemplars themselves: each has labels {traceID: …}; a trace id from Tempo\'s search is not an exemplar\'s.', 'zh-TW': '請從 exemplar 本身取得：每個 exemplar 都有 labels {traceID: …}；從 Tempo 搜尋得到的追蹤 ID 不算。' } };
      const t = await fetchTrace(ctx, padTraceId(id));
      if (t.kind !== 'ok' || !t.spans.length) return { right: false, evidence: { en: `${id} is an exemplar's, but Tempo does not open it (${t.kind === 'http' ? `HTTP ${t.status}` : t.kind})`, 'zh-TW': `${id} 確實是 exemplar 的，但 Tempo 打不開它（${t.kind === 'http' ? `HTTP ${t.status}` : t.kind}）` }, hint: { en: 'An old exemplar can point at a trace Tempo no longer holds: take one of the newest.', 'zh-TW': '舊的 exemplar 可能指向 Tempo 已經沒有的追蹤：請選最新的。' } };
      return { right: true, evidence: { en: `right: ${id} is an exemplar's trace id, and Tempo opens it: ${t.spans.length} spans`, 'zh-TW': `正確：${id} 是 exemplar 的追蹤 ID，Tempo 也打得開：${t.spans.length} 個 span` } };
    },
  },
  traceqlExercise({
    id: 'forbidden-through-grafana',
    chapter: 'grafana',
    via: 'grafana',
    title: { en: 'Ask through Grafana', 'zh-TW': '透過 Grafana 查詢' },
    task: { en: 'Write the TraceQL query you would type in Grafana\'s Explore (Tempo data source) to find the traces whose root span answered HTTP 403; the workbook runs it through Grafana.', 'zh-TW': '寫出你會在 Grafana 的 Explore（Tempo 資料來源）輸入的 TraceQL 查詢，找出根 span 回應 HTTP 403 的追蹤；工作手冊會透過 Grafana 執行它。' },
    lookAt: { en: 'Explore takes the same TraceQL as Tempo: which attribute of a span holds the HTTP status it answered? Explore suggests attribute names as you type.', 'zh-TW': 'Explore 接受的 TraceQL 和 Tempo 一樣：span 的哪個屬性記錄它回應的 HTTP 狀態？在 Explore 中輸入時會提示屬性名稱。' },
    answer: '{ span.http.status_code = 403 }',
    another: '{ span.http.status_code >= 403 && span.http.status_code < 404 }',
    expected: '{ span.http.status_code = 403 }',
    extra: { en: 'Your query also returns traces whose root did not answer 403: match span.http.status_code = 403.', 'zh-TW': '你的查詢也傳回了根 span 不是回應 403 的追蹤：比對 span.http.status_code = 403。' },
    missing: { en: 'Your query misses some of them: match the status code alone.', 'zh-TW': '你的查詢漏掉了一些：只比對狀態碼。' },
    shape: STATUS_CODE_SHAPE,
  }),
];

// ---------------------------------------------------------------------------------------------- TraceQL metrics (Tempo 3)

/**
 * A TraceQL metrics query graded on its answer: the learner's and the exercise's own, asked for the same window
 * (ending 30 s ago, so no step is still filling), compared series by series on each one's newest value.
 */
function metricsExercise(o: Omit<Exercise, 'language' | 'grade' | 'tempo'> & { expected: string; differs: Text; shape?: Shape }): Exercise {
  return {
    ...o,
    language: 'traceql-metrics',
    tempo: 3,
    async grade(ctx, answer) {
      const at = { ...ctx, clock: { ...ctx.clock, now: () => ctx.clock.now() - 30_000 } };
      const want = await traceqlMetrics(at, o.expected, 300, 15);
      if ('refused' in want) throw new WorkbookError(`the exercise's own query was refused (HTTP ${want.status}): ${want.refused}`);
      const w = newestBySeries(want.answer);
      if (!w.size) throw new WorkbookError('Tempo holds none of the spans this exercise is about in the last five minutes: is the traffic running (chapter 4, `workbook verify traffic`)?');
      const got = await traceqlMetrics(at, answer, 300, 15);
      if ('refused' in got) return { right: false, evidence: { en: `Tempo refused the query (HTTP ${got.status}): ${got.refused}`, 'zh-TW': `Tempo 拒絕了這個查詢（HTTP ${got.status}）：${got.refused}` }, hint: TRACEQL_METRICS_REFUSED };
      const g = newestBySeries(got.answer);
      if (!g.size) return { right: false, evidence: { en: 'your query returned no series', 'zh-TW': '你的查詢沒有傳回任何序列' }, hint: o.differs };
      const names = [...w.keys()].sort();
      const mine = [...g.keys()].sort();
      if (names.join('|') !== mine.join('|')) return { right: false, evidence: { en: `your series: ${mine.join('; ')}; expected: ${names.join('; ')}`, 'zh-TW': `你的序列：${mine.join('；')}；預期：${names.join('；')}` }, hint: o.differs };
      const off = names.filter((n) => !close(g.get(n)!, w.get(n)!));
      if (off.length) return { right: false, evidence: { en: `the same series, other values: ${off.map((n) => `${n} yours ${fmt(g.get(n)!)}, expected ${fmt(w.get(n)!)}`).join('; ')}`, 'zh-TW': `序列相同，數值不同：${off.map((n) => `${n} 你的是 ${fmt(g.get(n)!)}，預期 ${fmt(w.get(n)!)}`).join('；')}` }, hint: o.differs };
      if (o.shape && !o.shape.has(answer, httpNamesOf(ctx.lab.profile))) return { right: false, evidence: luckyEvidence('the same series and values', '同樣的序列與數值'), hint: o.shape.lacks };
      return { right: true, evidence: { en: `right: ${names.map((n) => `${n} ${fmt(w.get(n)!)}`).join(', ')}`, 'zh-TW': `正確：${names.map((n) => `${n} ${fmt(w.get(n)!)}`).join('、')}` } };
    },
  };
}

const TRACEQL_METRICS_REFUSED: Text = {
  en: 'That is Tempo speaking. A TraceQL metrics query is a spanset selector piped into a function: { <conditions> } | <function>(…) by (<attribute>).',
  'zh-TW': '這是 Tempo 的回覆。TraceQL 指標查詢是把 span 選擇器用管線接到函式：{ <條件> } | <函式>(…) by (<屬性>)。',
};

/** Tempo 3's exercises (chapter 9), graded on the current profile's lab. */
export const METRICS_EXERCISES: readonly Exercise[] = [
  metricsExercise({
    id: 'spans-per-service',
    chapter: 'what-changed',
    title: { en: 'Spans per second, per service, from the traces', 'zh-TW': '由追蹤算出每個服務每秒的 span 數' },
    task: { en: 'Write a TraceQL metrics query for each service\'s spans per second (one series per service).', 'zh-TW': '寫一個 TraceQL 指標查詢，算出每個服務每秒的 span 數（每個服務一條序列）。' },
    lookAt: { en: 'A TraceQL metrics query starts with a spanset selector (which spans) and pipes it into a function; `by (…)` splits the result by an attribute. Which function counts per second, and which attribute names the service?', 'zh-TW': 'TraceQL 指標查詢先用 span 選擇器（選哪些 span），再用管線接到函式；`by (…)` 依屬性分開結果。哪個函式計算每秒數量？哪個屬性記錄服務名稱？' },
    answer: '{ } | rate() by (resource.service.name)',
    another: '{ resource.service.name != "" } | rate() by (resource.service.name)',
    expected: '{ } | rate() by (resource.service.name)',
    differs: { en: 'Every span counts, per second, split by the service that sent it: compare your selector, your function and your by (…) with that.', 'zh-TW': '每個 span 都要算，以每秒計，並依送出它的服務分開：把你的選擇器、函式與 by (…) 和這個要求對照。' },
  }),
  metricsExercise({
    id: 'errors-per-service',
    chapter: 'what-changed',
    title: { en: 'Errors per second, per service', 'zh-TW': '每個服務每秒的錯誤數' },
    task: { en: 'Write a TraceQL metrics query for each service\'s spans with an error status, per second. Compare it with chapter 6, where span metrics answered from Prometheus.', 'zh-TW': '寫一個 TraceQL 指標查詢，算出每個服務每秒帶錯誤狀態的 span 數。和第 6 章比較：那裡由 Prometheus 裡的 span 指標回答。' },
    lookAt: { en: 'Start from the spans per service; then keep only the spans whose status is an error: status is an intrinsic, written without a scope.', 'zh-TW': '從每個服務的 span 數開始；再只保留狀態為錯誤的 span：status 是內建欄位，不加範圍前綴。' },
    answer: '{ status = error } | rate() by (resource.service.name)',
    another: '{ status = error && duration >= 0ms } | rate() by (resource.service.name)',
    expected: '{ status = error } | rate() by (resource.service.name)',
    differs: { en: 'Only the spans with an error status count, per second, per service that sent them.', 'zh-TW': '只算帶錯誤狀態的 span，以每秒計，依送出它的服務分開。' },
    // here only shop-backend's spans ever fail: a query of its spans alone finds the same one series
    shape: {
      has: (q) => ((c) => c.some((x) => x.intrinsic && x.name === 'status') && !c.some((x) => x.name === 'service.name' && x.op === '='))(traceqlShape(q).conditions),
      lacks: { en: 'The question asks every service\'s errors: here only one service has any, so naming it finds the same series; in another lab it would not. Select the spans by their status alone.', 'zh-TW': '題目問的是每個服務的錯誤：這裡只有一個服務有錯誤，所以指名它剛好得到同樣的序列；在別的實驗環境就不會如此。請只用狀態來選 span。' },
    },
  }),
  metricsExercise({
    id: 'p95-per-service',
    chapter: 'what-changed',
    title: { en: 'The 95th percentile of span duration, per service', 'zh-TW': '每個服務 span 耗時的第 95 百分位數' },
    task: { en: 'Write a TraceQL metrics query for the 95th percentile of span duration, per service. Chapter 6 asked the same of a histogram in Prometheus.', 'zh-TW': '寫一個 TraceQL 指標查詢，算出每個服務 span 耗時的第 95 百分位數。第 6 章是對 Prometheus 裡的直方圖問同樣的問題。' },
    lookAt: { en: 'TraceQL metrics have a function for quantiles over time, taking the field to measure and the quantile; split it by the service as before.', 'zh-TW': 'TraceQL 指標有一個「隨時間的分位數」函式，參數是要量的欄位與分位數；和前面一樣依服務分開。' },
    answer: '{ } | quantile_over_time(duration, .95) by (resource.service.name)',
    another: '{ } | quantile_over_time(duration, 0.95) by (resource.service.name)',
    expected: '{ } | quantile_over_time(duration, .95) by (resource.service.name)',
    differs: { en: 'The duration of every span, its 95th percentile, per service: compare the field, the quantile and the by (…).', 'zh-TW': '每個 span 的耗時、第 95 百分位數、依服務分開：對照欄位、分位數與 by (…)。' },
  }),
];

/** Every exercise: the article's and Tempo 3's. */
export const EXERCISES: readonly Exercise[] = [...ARTICLE_EXERCISES, ...METRICS_EXERCISES];

export function exerciseList(): string {
  return EXERCISES.map((e) => e.id).join(', ');
}

export function findExercise(id: string | undefined): Exercise | undefined {
  return EXERCISES.find((e) => e.id === id?.trim().toLowerCase());
}
