/**
 * Local typings for fatfs 0.10.8 (a devDependency: tests read back the FAT images the bot writes with
 * js-fatfs through this independent implementation; config-drive.md §5). Only what the tests use.
 * See natevw/fatfs: README.md, index.js.
 */
declare module 'fatfs' {
  import type { EventEmitter } from 'node:events'

  export interface SectorDriver {
    readonly sectorSize: number
    readonly numSectors: number
    readSectors(index: number, dest: Buffer, cb: (error: Error | null) => void): void
    /** Without it the volume is read-only. */
    writeSectors?(index: number, data: Buffer, cb: (error: Error | null) => void): void
  }

  export interface FatFileSystem extends EventEmitter {
    readdir(path: string, cb: (error: Error | null, names: string[]) => void): void
    readFile(path: string, cb: (error: Error | null, data: Buffer) => void): void
  }

  export function createFileSystem(
    driver: SectorDriver,
    opts?: { ro?: boolean; noatime?: boolean },
    cb?: (error: Error | null) => void,
  ): FatFileSystem
}
