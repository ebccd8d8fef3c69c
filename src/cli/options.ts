/** Options shared by every command that reads configuration. */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, DEFAULT_CONFIG, type LoadedConfig } from '../config/load.js';

export interface ConfigOptions {
  config?: string;
  inventory?: string;
}

export function withConfigOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', `settings file (env POINTWATCH_CONFIG; default ${DEFAULT_CONFIG})`)
    .option('-i, --inventory <file>', 'inventory file, overrides the one the settings name (env POINTWATCH_INVENTORY)');
}

export function loadFromCli(opts: ConfigOptions): Promise<LoadedConfig> {
  return loadConfig({ config: opts.config, inventory: opts.inventory });
}

/** Parse a positive integer CLI value, naming the option in the error. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number (got '${value}')`);
    return n;
  };
}
