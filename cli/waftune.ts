#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { WAFTUNE_VERSION } from '../src/version.js';
import { disableColor } from './color.js';
import { commandOf, registerCommands } from './commands/index.js';
import { EXIT, UsageError } from './exit.js';
import { helpFooter } from './help.js';
import { installSignalHandlers, useRunTempDir } from './signals.js';

installSignalHandlers();

const program = new Command('waftune')
  .description(
    'Tune AWS WAF for WordPress fleets: find false positives and attackers, suggest and apply narrow fixes.',
  )
  .version(WAFTUNE_VERSION, '-V, --version', 'print the version')
  .option('--no-color', 'no colour in the output (also NO_COLOR; FORCE_COLOR forces it)')
  .helpCommand('help [command]', 'help for a command')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    helpFooter(
      [
        'waftune analyze ./logs',
        'waftune plan',
        'waftune apply --yes',
        'waftune plan --format terraform > waftune-changes.tf',
      ],
      [],
    ),
  )
  .hook('preAction', () => {
    if (program.opts().color === false) disableColor();
    useRunTempDir();
  });

const args = process.argv.slice(2);
await registerCommands(program, commandOf(args));

function commandName(): string {
  const entry = commandOf(args);
  return entry ? `waftune ${entry.name}` : 'waftune';
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed the help, the version or the error (with the hint) already.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof UsageError) {
    process.stderr.write(`${commandName()}: ${error.message}\n(run ${commandName()} --help for usage)\n`);
    process.exitCode = EXIT.usage;
  } else {
    process.stderr.write(`${commandName()}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
