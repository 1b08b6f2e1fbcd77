// emulator: see ARCHITECTURE.md.
export {};
