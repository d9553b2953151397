# syntax=docker/dockerfile:1
# ftops: one image for every role (FT_ROLE=all|web|worker). Build: docker build -t ftops .
ARG NODE_VERSION=20

# Build stage: all dependencies, then `npm run build` (tsc type-checks and compiles src/ to
# dist/), so an image is only made from code that type-checks.
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only: no compiler, no test tools.
FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root and read-only to the app: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# scripts/build.mjs is what `npm run doctor` runs first; with no src/ here it does nothing.
COPY --from=build /app/scripts ./scripts
COPY package.json manifest.yml manifest.socket-mode.yml ./
USER node
EXPOSE 3000
# slim has no curl; Node's own fetch asks /healthz. Every role serves it on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT||3000}/healthz`,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and gets SIGTERM itself (npm would stand in between), so shutdown is graceful.
CMD ["node", "dist/bot/main.js"]
