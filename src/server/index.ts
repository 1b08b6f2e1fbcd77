// server: see ARCHITECTURE.md.
export {};
