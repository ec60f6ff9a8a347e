/**
 * Where the timelines of a lab's runs go: one file per lab and kind in `<labsFolder>/.traces/`, replaced
 * by the next run of that kind, so the folder stays bounded. No `vscode` here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab } from '../../core/catalog';

export type TraceKind = 'check' | 'run';

export const TRACES_FOLDER = '.traces';

/** Opens a recorded timeline; extension.ts wires it to the timeline panel. */
export type ShowTrace = (lab: Lab, tracePath: string) => unknown;

/** The trace file for the next run, with any stale one from an earlier run removed. */
export function freshTracePath(traceDir: string, labId: string, kind: TraceKind): string {
  const file = path.join(traceDir, `${labId}.${kind}.json`);
  fs.mkdirSync(traceDir, { recursive: true });
  fs.rmSync(file, { force: true });
  return file;
}

/** The newest timeline recorded for a lab (by a Check or a Run with Timeline), if any. */
export function latestTracePath(traceDir: string, labId: string): string | undefined {
  const candidates = (['check', 'run'] as const).flatMap((kind) => {
    const file = path.join(traceDir, `${labId}.${kind}.json`);
    try {
      return [{ file, modified: fs.statSync(file).mtimeMs }];
    } catch {
      return [];
    }
  });
  return candidates.sort((a, b) => b.modified - a.modified)[0]?.file;
}
