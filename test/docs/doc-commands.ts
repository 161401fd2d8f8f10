import type { Command } from 'commander';

/** A command line found in a document: where it starts and its text from the program name on. */
export interface DocCommand {
  line: number;
  program: 'muster' | 'muster-agent';
  text: string;
}

/**
 * The program name where a command starts: at the start of the line, after a prompt, `npx`, `sudo`,
 * `run:`, a shell operator, `=` or a path's `/` — not as an argument (`pg_restore -d muster …`).
 */
const PROGRAM = /(?:^\s*|(?:\$|npx|sudo|exec|run:|&&|;|\|)\s+|\$\(|[=/("'])(muster-agent|muster)(?=\s)/;

interface CodeLine {
  line: number;
  text: string;
  /** An inline code span: never continued by the next line. */
  inline?: boolean;
}

/**
 * The lines of a markdown file that are code: inside fenced blocks (``` or ~~~, any length) and
 * indented blocks (four spaces after a blank line), plus inline code spans on one line.
 */
export function codeLines(markdown: string): CodeLine[] {
  const lines = markdown.split('\n');
  const out: CodeLine[] = [];
  let fence: string | null = null;
  let indented = false;
  lines.forEach((text, i) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence !== null) {
      if (opener && opener[0] === fence[0] && opener.length >= fence.length && text.trim() === opener) fence = null;
      else out.push({ line: i + 1, text });
      return;
    }
    if (opener) {
      fence = opener;
      return;
    }
    if (text.trim() === '') indented = true;
    else if (indented && /^( {4}|\t)/.test(text)) out.push({ line: i + 1, text });
    else {
      indented = false;
      for (const span of text.matchAll(/`([^`]+)`/g)) out.push({ line: i + 1, text: span[1] as string, inline: true });
    }
  });
  return out;
}

/**
 * The `muster …` and `muster-agent …` command lines among code lines, each joined with the lines
 * that continue it (a trailing `\`, or a next line that starts with `[` or `--`).
 */
export function docCommands(markdown: string): DocCommand[] {
  const code = codeLines(markdown);
  const found: DocCommand[] = [];
  for (let i = 0; i < code.length; i++) {
    const entry = code[i] as CodeLine;
    const match = PROGRAM.exec(entry.text);
    if (!match) continue;
    let text = entry.text.slice((match.index ?? 0) + match[0].length - (match[1] as string).length);
    while (!entry.inline && i + 1 < code.length && !code[i + 1]?.inline && code[i + 1]?.line === (code[i] as CodeLine).line + 1) {
      const next = (code[i + 1] as CodeLine).text;
      if (!(/\\\s*$/.test(text) || /^\s*(\[|--)/.test(next))) break;
      text = `${text.replace(/\s*\\\s*$/, '')} ${next.trim()}`;
      i++;
    }
    found.push({ line: entry.line, program: match[1] as DocCommand['program'], text });
  }
  return found;
}

/** Words of a command line, up to a shell operator or comment; `|` kept only outside brackets. */
function words(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (word.startsWith('#') || /^(\d?>>?|<|&&|\|\||;|&|\))$/.test(word)) break;
    if (word === '|' && depth === 0) out.push('|');
    else if (word !== '|') out.push(word);
    depth += (word.match(/\[/g)?.length ?? 0) - (word.match(/\]/g)?.length ?? 0);
  }
  return out;
}

const UNIVERSAL = new Set(['--help', '--version']);

/**
 * What a command line names that the CLI does not define: an unknown command or subcommand, or a
 * flag the command it reaches does not take. Alternatives of a synopsis (`status | describe …`,
 * `ID [--rotate] | --all`) are checked each; a `|` followed by anything else is a shell pipe and ends it.
 */
export function unknownInCommand(root: Command, text: string): string[] {
  const segments: string[][] = [[]];
  for (const word of words(text).slice(1)) {
    if (word === '|') segments.push([]);
    else (segments[segments.length - 1] as string[]).push(word);
  }
  const problems: string[] = [];
  let command = root;
  for (const [n, segment] of segments.entries()) {
    const first = segment[0] ?? '';
    if (n > 0 && !first.startsWith('-') && !root.commands.some((c) => c.name() === first)) break;
    let rest = segment;
    if (n === 0 || !first.startsWith('-')) {
      const resolved = resolve(root, segment);
      if ('unknown' in resolved) {
        problems.push(resolved.unknown);
        continue;
      }
      command = resolved.command;
      rest = segment.slice(resolved.consumed);
    }
    const known = new Set(command.options.map((o) => o.long));
    for (const word of rest) {
      const flag = /^\[?(--[a-z][a-z0-9-]*)/.exec(word)?.[1];
      if (flag && !known.has(flag) && !UNIVERSAL.has(flag)) problems.push(`\`${path(command)}\` has no flag ${flag}`);
    }
  }
  return problems;
}

function resolve(root: Command, segment: readonly string[]): { command: Command; consumed: number } | { unknown: string } {
  let command = root;
  let consumed = 0;
  for (const word of segment) {
    if (word.startsWith('-') || word.startsWith('[')) break;
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) {
      const takesArguments = command.registeredArguments.length > 0 || command.commands.length === 0;
      if (!takesArguments) return { unknown: `\`${path(command)}\` has no command \`${word}\`` };
      break;
    }
    command = sub;
    consumed++;
  }
  return { command, consumed };
}

function path(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
