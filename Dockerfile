# The Gauntlet image the shard pods of `--engine kubernetes` run (and a way to run Gauntlet in CI
# without installing it). Build it and push it where your cluster pulls from:
#   docker build -t registry.example.com/gauntlet:0.1.0 .
#   docker push registry.example.com/gauntlet:0.1.0
# then set environments.<name>.kubernetes.shards.image to that reference.
# The tests build the same layout without a registry (scripts/build-images.sh: this checkout's
# bin, src and production node_modules, with the machine's node binary).
FROM node:20-bookworm-slim
WORKDIR /gauntlet
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
USER node
ENTRYPOINT ["node", "/gauntlet/bin/gauntlet.mjs"]
CMD ["--help"]
