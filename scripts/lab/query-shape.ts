// What a learner's query is made of, read by the languages' own parsers (Grafana's Lezer grammar of TraceQL,
// @grafana/lezer-traceql; Prometheus' own of PromQL, @prometheus-io/lezer-promql), not by a regex over its text:
// a name inside a string is a string, an operator is an operator. Exercises grade the shape where the lab's data
// could make a lucky query find the same result (scripts/lab/exercises.ts).
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

/** A condition of a TraceQL spanset filter: `span.http.status_code = 403` is { field: 'span.http.status_code', op: '=', value: '403' }. */
export interface Condition {
  field: string;
  /** the field without its scope (span., resource., or a bare .): http.status_code; an intrinsic as it is: name */
  name: string;
  intrinsic: boolean;
  op: string;
  value: string;
}

export interface TraceqlShape {
  /** the parser found no error */
  parsed: boolean;
  conditions: Condition[];
  /** structural operators between spansets: >>, >, <<, <, ~ and the experimental ones, as written */
  structural: string[];
}

const STRUCTURAL = new Set(['Desc', 'Gt', 'Anc', 'Lt', 'ExperimentalOp', 'UnionStructuralOp']);

function hasError(node: SyntaxNode): boolean {
  let bad = false;
  node.cursor().iterate((n) => {
    if (n.type.isError) bad = true;
    return !bad;
  });
  return bad;
}

export function traceqlShape(q: string): TraceqlShape {
  const tree = traceqlParser.parse(q);
  const text = (n: SyntaxNode) => q.slice(n.from, n.to).trim();
  const conditions: Condition[] = [];
  const structural: string[] = [];
  tree.cursor().iterate((ref) => {
    const n = ref.node;
    if (n.name === 'AttributeField' || n.name === 'IntrinsicField') {
      // FieldExpression(field) FieldOp FieldExpression(value), all children of one FieldExpression
      const lhs = n.parent;
      const op = lhs?.nextSibling;
      const rhs = op?.nextSibling;
      if (op?.name === 'FieldOp' && rhs) {
        const field = text(n);
        conditions.push({ field, name: field.replace(/^(span|resource|event|link|instrumentation)?\./, ''), intrinsic: n.name === 'IntrinsicField', op: text(op), value: text(rhs).replace(/^"(.*)"$/, '$1') });
      }
    }
    if (n.name === 'SpansetPipelineExpression') {
      // two spansets joined by something that is not && or ||: a structural operator (~ has no node of its own)
      const kids = n.getChildren('SpansetPipelineExpression');
      if (kids.length === 2) {
        const between = q.slice(kids[0]!.to, kids[1]!.from).trim();
        const named = [...STRUCTURAL].some((s) => n.getChild(s));
        if (named || between === '~' || between === '!~') structural.push(between);
      }
    }
  });
  return { parsed: !hasError(tree.topNode), conditions, structural };
}

export interface PromqlShape {
  parsed: boolean;
  /** every metric selector: its name and the labels its matchers name */
  selectors: { metric: string; labels: string[] }[];
  functions: string[];
}

export function promqlShape(q: string): PromqlShape {
  const tree = promqlParser.parse(q);
  const text = (n: SyntaxNode) => q.slice(n.from, n.to);
  const selectors: PromqlShape['selectors'] = [];
  const functions: string[] = [];
  tree.cursor().iterate((ref) => {
    const n = ref.node;
    if (n.name === 'VectorSelector') {
      const id = n.getChild('Identifier');
      const labels: string[] = [];
      n.cursor().iterate((m) => {
        if (m.name === 'LabelName' && m.node.parent?.name?.endsWith('LabelMatcher')) labels.push(text(m.node));
      });
      selectors.push({ metric: id ? text(id) : '', labels });
    }
    if (n.name === 'FunctionIdentifier') functions.push(text(n));
  });
  return { parsed: !hasError(tree.topNode), selectors, functions };
}
