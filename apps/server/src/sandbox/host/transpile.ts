import { SourceMap } from 'node:module';
import ts from 'typescript';
import { ScriptFailure } from '../protocol.js';
import { BOOTSTRAP_FILENAME } from './bootstrap.js';

export interface CompiledScript {
  name: string;
  /** CommonJS for a V8 script: `exports.default = ...`. */
  code: string;
  map: SourceMap | null;
}

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * TypeScript (and modern JavaScript) to CommonJS that a V8 script can run, with an inline source
 * map so stacks point at the script as written. Syntax errors come back with line and column.
 */
export function transpile(name: string, source: string): CompiledScript {
  const output = ts.transpileModule(source, {
    fileName: name,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      inlineSourceMap: true,
      inlineSources: true,
      allowJs: true,
      esModuleInterop: false,
      // The script runs as it is written: no helpers are pulled in from anywhere.
      importHelpers: false,
      noEmitHelpers: false,
    },
  });
  const problem = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (problem) {
    const message = ts.flattenDiagnosticMessageText(problem.messageText, '\n');
    if (problem.file && problem.start !== undefined) {
      const { line, character } = problem.file.getLineAndCharacterOfPosition(problem.start);
      throw new ScriptFailure({
        kind: 'syntax',
        message: `${name}:${line + 1}:${character + 1}: ${message}`,
        line: line + 1,
        column: character + 1,
      });
    }
    throw new ScriptFailure({ kind: 'syntax', message: `${name}: ${message}` });
  }
  const match = INLINE_MAP.exec(output.outputText);
  let map: SourceMap | null = null;
  if (match) {
    try {
      map = new SourceMap(JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')));
    } catch {
      map = null;
    }
  }
  return { name, code: match ? output.outputText.slice(0, match.index) + '\n' : output.outputText, map };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Maps a generated 1-based position to the script's own line and column (1-based). */
export function originalPosition(script: CompiledScript, line: number, column: number): { line: number; column: number } {
  if (!script.map) return { line, column };
  const entry = script.map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
  if (entry?.originalLine === undefined || entry.originalColumn === undefined) return { line, column };
  return { line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

/**
 * A stack with positions in the script as written and the sandbox's own frames removed. The
 * first position in the script, if any, is returned too.
 */
export function mapStack(script: CompiledScript, stack: string | undefined): { stack?: string; line?: number; column?: number } {
  if (!stack) return {};
  let first: { line: number; column: number } | undefined;
  const pattern = new RegExp(`${escape(script.name)}:(\\d+):(\\d+)`, 'g');
  const all = stack.split('\n');
  // Below the boundary are the host's own frames: never shown to (or leaked to) a script author.
  const boundary = all.findIndex((l) => l.includes('<isolated-vm boundary>'));
  const lines = (boundary >= 0 ? all.slice(0, boundary) : all)
    .filter((l) => !l.includes(BOOTSTRAP_FILENAME))
    .map((l) =>
      l.replace(pattern, (_all, gl: string, gc: string) => {
        const pos = originalPosition(script, Number(gl), Number(gc));
        first ??= pos;
        return `${script.name}:${pos.line}:${pos.column}`;
      }),
    );
  return { stack: lines.join('\n'), ...(first ?? {}) };
}
