// Environment variables read the way people write them. Commander turns a switch on when its variable is set at all
// (so ACS_AUDIO_DTMF=false would turn DTMF on) and hands a list's variable over as one value; this fixes both after
// parsing, for the command about to run.
import type { Command } from 'commander';

/** Values that leave a switch off (case-insensitive, surrounding spaces ignored). */
const OFF = /^(0|false|no|off)?$/i;

/**
 * For each option of `command` whose value came from its variable: a switch set to empty, `0`, `false`, `no` or
 * `off` is left as if not given; a list (`<value...>`) is split on commas and spaces. `env` is where the values
 * were read from.
 */
export function applyEnvConventions(command: Command, env: NodeJS.ProcessEnv = process.env): void {
  for (const option of command.options) {
    const key = option.attributeName();
    if (option.envVar === undefined || command.getOptionValueSource(key) !== 'env') continue;
    const raw = env[option.envVar] ?? '';
    if (!option.required && !option.optional) {
      // A negated switch (--no-start-now) not given leaves its positive value on.
      if (OFF.test(raw.trim())) command.setOptionValueWithSource(key, option.negate ? true : option.defaultValue, 'default');
    } else if (option.variadic) {
      const values = raw.split(/[\s,]+/).filter((value) => value !== '');
      const parse = option.parseArg;
      const value = parse === undefined ? values : values.reduce<unknown>((previous, v) => parse(v, previous), undefined);
      command.setOptionValueWithSource(key, value, 'env');
    }
  }
}
