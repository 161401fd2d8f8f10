import { readdirSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { agentProgram } from '../../agent/cli/program.js';
import { registerCommands } from '../../controller/cli/commands/index.js';
import { docCommands, unknownInCommand } from './doc-commands.js';

/** README.md and every docs/*.md: the documents a user reads commands from. */
const DOCUMENTS = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].sort();

async function programs(): Promise<Record<'muster' | 'muster-agent', Command>> {
  const muster = new Command('muster');
  await registerCommands(muster);
  return { muster, 'muster-agent': agentProgram() };
}

describe('command lines in the docs', () => {
  it('name only commands and flags the CLI defines', async () => {
    const cli = await programs();
    const problems: string[] = [];
    let checked = 0;
    for (const file of DOCUMENTS) {
      for (const command of docCommands(readFileSync(file, 'utf8'))) {
        checked++;
        for (const problem of unknownInCommand(cli[command.program], command.text)) problems.push(`${file}:${command.line}: ${problem} (in: ${command.text.trim()})`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked, 'command lines found in the docs').toBeGreaterThan(40);
  });

  const cases: { name: string; given: string; want: { commands: string[]; problems: string[] } }[] = [
    {
      name: 'a fenced shell line, with a comment and a redirection',
      given: '```sh\nmuster state export --db "$MUSTER_DB" > state.json   # --nope in a comment\n```',
      want: { commands: ['muster state export --db "$MUSTER_DB" > state.json   # --nope in a comment'], problems: [] },
    },
    {
      name: 'an indented synopsis continued on the next line',
      given: 'Usage:\n\n    muster plan --repo DIR [--state FILE | --db DB]\n                [--format text|json] [--colour]\n',
      want: { commands: ['muster plan --repo DIR [--state FILE | --db DB] [--format text|json] [--colour]'], problems: ['`muster plan` has no flag --colour'] },
    },
    {
      name: 'alternatives of a synopsis: another command, or more flags of the same one',
      given: '```\nmuster status | describe rollouts NAME\nmuster appliance token ID [--rotate] | --all [--format json] [--every]\n```',
      want: {
        commands: ['muster status | describe rollouts NAME', 'muster appliance token ID [--rotate] | --all [--format json] [--every]'],
        problems: ['`muster describe` has no command `rollouts`', '`muster appliance token` has no flag --every'],
      },
    },
    {
      name: 'a pipe into another program ends the command',
      given: '```\nnpx muster status --format json | jq --raw-output .rollouts\n```',
      want: { commands: ['muster status --format json | jq --raw-output .rollouts'], problems: [] },
    },
    {
      name: 'a systemd ExecStart continued with backslashes, and an unknown command',
      given: '```ini\nExecStart=/usr/bin/muster-agent \\\n  --server https://x \\\n  --state-dirs /var\n```\n`muster deploy v1`',
      want: { commands: ['muster-agent --server https://x --state-dirs /var', 'muster deploy v1'], problems: ['`muster-agent` has no flag --state-dirs', '`muster` has no command `deploy`'] },
    },
    {
      name: 'prose outside code is not read',
      given: 'Run muster plan --colour to see it.',
      want: { commands: [], problems: [] },
    },
  ];
  it.each(cases)('finds and checks: $name', async ({ given, want }) => {
    const cli = await programs();
    const found = docCommands(given);
    expect(found.map((c) => c.text.trim())).toEqual(want.commands);
    expect(found.flatMap((c) => unknownInCommand(cli[c.program], c.text))).toEqual(want.problems);
  });
});
