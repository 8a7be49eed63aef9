import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API compares the page's Origin exactly against CORS_ORIGINS, whose development default
// includes http://localhost:5173. strictPort makes Vite stop with an error when 5173 is taken,
// instead of moving to 5174, an origin the API would refuse.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
});
