{{/* The name of every object: `<release>-edge`, unless fullnameOverride. */}}
{{- define "veltrix.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (.Values.nameOverride | default "edge") | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the edge's pods. */}}
{{- define "veltrix.selectorLabels" -}}
app.kubernetes.io/name: {{ include "veltrix.fullname" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "veltrix.labels" -}}
{{ include "veltrix.selectorLabels" . }}
app.kubernetes.io/part-of: veltrix
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* A config value as text ("" when unset). */}}
{{- define "veltrix.setting" -}}
{{- $value := index .Values.config .name | default "" -}}
{{- toString $value -}}
{{- end -}}
