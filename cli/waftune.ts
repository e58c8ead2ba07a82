#!/usr/bin/env node
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';
import { EXIT } from './exit.js';

const program = new Command('waftune')
  .description(
    'Tune AWS WAF for WordPress fleets: find false positives and attackers, suggest and apply narrow fixes.',
  )
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
    process.exitCode = EXIT.ok;
  } else if (typeof code === 'string' && code.startsWith('commander.')) {
    process.exitCode = EXIT.failed;
  } else {
    process.stderr.write(`waftune: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
