// audio: see ARCHITECTURE.md.
export {};
