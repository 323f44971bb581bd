// The error a command throws when its arguments are wrong: cli/main.mjs prints it with the command's
// usage. In a module of its own so that the commands need not import main.mjs, which imports them.
export class UsageError extends Error {
  name = 'UsageError';
}
