/** Every command the extension registers; a test checks this against package.json's contributes.commands. */
export const COMMANDS = {
  startLab: 'concurrencyLabs.startLab',
  checkLab: 'concurrencyLabs.checkLab',
  resetLab: 'concurrencyLabs.resetLab',
  showHint: 'concurrencyLabs.showHint',
  showInstructions: 'concurrencyLabs.showInstructions',
  showTimeline: 'concurrencyLabs.showTimeline',
  runWithTimeline: 'concurrencyLabs.runWithTimeline',
  refreshLabs: 'concurrencyLabs.refreshLabs',
  showOutput: 'concurrencyLabs.showOutput',
} as const;
