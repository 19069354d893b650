// Every lesson and every text a learner reads exists in English and Traditional Chinese.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { CATALOG, lessonPath } from '../../scripts/core/catalog.js';
import { ROOT } from '../helpers/fakes.js';

const CJK = /[\u4e00-\u9fff]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Object literals that look like a Text ({ en: …, 'zh-TW': … }) and miss a language or leave one empty. */
export function textProblems(file: string, text = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isObjectLiteralExpression(node)) {
      const props = new Map<string, ts.Expression>();
      for (const p of node.properties) {
        if (ts.isPropertyAssignment(p)) props.set(p.name.getText(sf).replace(/^['"]|['"]$/g, ''), p.initializer);
        else if (ts.isShorthandPropertyAssignment(p)) props.set(p.name.getText(sf), p.name);
      }
      if (props.has('en') || props.has('zh-TW')) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const where = `${relative(ROOT, file)}:${line}`;
        const str = (e?: ts.Expression) => (e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e)) ? e.getText(sf).slice(1, -1) : undefined);
        const en = props.get('en');
        const zh = props.get('zh-TW');
        if (!en) problems.push(`${where}: no en`);
        else if (str(en) === '') problems.push(`${where}: empty en`);
        if (!zh) problems.push(`${where}: no zh-TW`);
        else if (str(zh) !== undefined && !CJK.test(str(zh)!)) problems.push(`${where}: zh-TW has no Chinese: ${str(zh)!.slice(0, 40)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

describe('both languages, everywhere', () => {
  it.each(CATALOG.map((c) => [c.number, c.id, c] as const))('chapter %i (%s): lessons in en and zh-TW with the same sections', (_n, _id, ch) => {
    const en = readFileSync(lessonPath(ch, 'en'), 'utf8');
    const zh = readFileSync(lessonPath(ch, 'zh-TW'), 'utf8');
    expect(en.trim().length).toBeGreaterThan(200);
    expect(zh.trim().length).toBeGreaterThan(100);
    expect(CJK.test(zh)).toBe(true);
    const headings = (s: string) => s.split('\n').filter((l) => l.startsWith('#')).length;
    expect(headings(zh)).toBe(headings(en));
    expect(zh.split('\n')[0]).toMatch(new RegExp(`^# ${ch.number}\\. `));
  });

  it('every title, why and hint in chapters/ and scripts/ has en and zh-TW', () => {
    const files = [...sourceFiles(join(ROOT, 'chapters')), ...sourceFiles(join(ROOT, 'scripts'))];
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((f) => textProblems(f))).toEqual([]);
  });

  it('the detector catches a hint without Chinese and one without zh-TW', () => {
    const bad = "const a = { en: 'Start Docker', 'zh-TW': 'Start Docker' };\nconst b = { en: 'x' };\n";
    expect(textProblems(join(ROOT, 'chapters/x.ts'), bad)).toEqual(['chapters/x.ts:1: zh-TW has no Chinese: Start Docker', 'chapters/x.ts:2: no zh-TW']);
  });

  it('every chapter and check has a title in both languages at run time', () => {
    for (const ch of CATALOG) {
      for (const t of [ch.title, ...ch.checks.map((c) => c.title), ...ch.steps.flatMap((s) => [s.title, s.why])]) {
        expect(t.en.length).toBeGreaterThan(0);
        expect(CJK.test(t['zh-TW'])).toBe(true);
      }
    }
    // the loop above ran over the real chapters, not an empty catalog
    expect(CATALOG.map((c) => c.id)).toEqual(expect.arrayContaining(['prerequisites', 'tempo', 'traces', 'metrics-generator', 'teardown']));
  });
});
