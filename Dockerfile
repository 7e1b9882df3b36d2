# One image for the three services; docker-compose.yml picks the service with the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=development CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx prisma generate
CMD ["npm", "run", "gateway"]
