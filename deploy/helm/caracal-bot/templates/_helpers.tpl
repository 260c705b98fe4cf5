{{/* The chart's name, or nameOverride. */}}
{{- define "caracal-bot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The name of everything the release makes: fullnameOverride, else the
release's name with the chart's unless it already holds it. */}}
{{- define "caracal-bot.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "caracal-bot.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The labels that select the release's pods. */}}
{{- define "caracal-bot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "caracal-bot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The labels of everything the release makes. */}}
{{- define "caracal-bot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "caracal-bot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The pods' service account. */}}
{{- define "caracal-bot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "caracal-bot.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The name of the port serving /healthz, /readyz and /metrics. */}}
{{- define "caracal-bot.opsPortName" -}}
{{- if .Values.ops.port }}ops{{ else }}http{{ end }}
{{- end }}

{{/* Rendering stops here when the values ask for what the bot cannot do. */}}
{{- define "caracal-bot.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.redis.existingSecret) }}
{{- fail (printf "replicaCount is %d, and more than one replica needs Redis: set redis.existingSecret to the Secret holding the Redis URL (key redis.urlKey, REDIS_URL by default). The replicas share the de-duplication of deliveries, the rate limits and the scheduler's lease there." (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.ops.port (eq (int .Values.ops.port) (int .Values.service.port)) }}
{{- fail "ops.port must differ from service.port (or be 0 to serve the ops endpoints on service.port)" }}
{{- end }}
{{- end }}
